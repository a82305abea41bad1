"""One stax + optimizers program, written against JAX's API (run by either library)."""


def run(jax, jnp, random, stax, optimizers):
    """A small convnet: its initial parameters, its output, and its parameters after Adam.

    (BatchNorm comes after the Relu: right after the conv it would cancel the conv's bias,
    whose gradient would then be rounding noise that Adam scales up to a full step.)
    """
    init_fun, apply_fun = stax.serial(
        stax.Conv(3, (3, 3), padding="SAME"), stax.Relu, stax.BatchNorm(),
        stax.MaxPool((2, 2), strides=(2, 2)), stax.Conv(2, (2, 2)), stax.Tanh,
        stax.AvgPool((2, 2)), stax.Flatten, stax.Dense(4), stax.LogSoftmax)
    out_shape, params = init_fun(random.key(0), (2, 8, 8, 1))
    x = jnp.sin(jnp.arange(128.0)).reshape(2, 8, 8, 1)
    labels = jnp.array([1, 3])

    def loss(p):
        logp = apply_fun(p, x)
        return -jnp.mean(logp[jnp.arange(2), labels])

    opt_init, opt_update, get_params = optimizers.adam(0.01)
    state = opt_init(params)
    for i in range(3):
        state = opt_update(i, jax.grad(loss)(get_params(state)), state)
    result = {"out_shape": jnp.array(out_shape), "logits": apply_fun(params, x)}
    for i, leaf in enumerate(jax.tree_util.tree_leaves(params)):
        result[f"init_{i}"] = leaf
    for i, leaf in enumerate(jax.tree_util.tree_leaves(get_params(state))):
        result[f"adam_{i}"] = leaf
    return result
