"""flax.linen's first program: an MLP with BatchNorm, `init`, then one jitted optax step
that also updates the batch statistics (`mutable=["batch_stats"]`)."""
import jax
import jax.numpy as jnp
import flax.linen as nn
import optax


class MLP(nn.Module):
    features: int = 16

    @nn.compact
    def __call__(self, x, train: bool):
        # No bias before BatchNorm (as usual): BatchNorm subtracts the mean, so such a bias's
        # gradient is zero but for rounding, and Adam would turn that rounding noise into a
        # full-size step: a value that differs between CPUs even in JAX itself.
        x = nn.Dense(self.features, use_bias=False)(x)
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
        x = nn.relu(x)
        return nn.Dense(1)(x)


def flat(prefix, tree):
    """The tree's leaves named by their paths: {"params/Dense_0/kernel": ..., ...}."""
    return {prefix + jax.tree_util.keystr(path, simple=True, separator="/"): leaf
            for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def main():
    kx, ky, kinit = jax.random.split(jax.random.PRNGKey(0), 3)
    x = jax.random.normal(kx, (32, 4))
    y = jax.random.normal(ky, (32, 1))
    model = MLP()
    variables = model.init(kinit, x, train=False)
    params, batch_stats = variables["params"], variables["batch_stats"]
    tx = optax.adam(1e-2)
    opt_state = tx.init(params)

    @jax.jit
    def train_step(params, batch_stats, opt_state, x, y):
        def loss_fn(params):
            out, updates = model.apply({"params": params, "batch_stats": batch_stats},
                                       x, train=True, mutable=["batch_stats"])
            return jnp.mean((out - y) ** 2), updates["batch_stats"]
        (loss, batch_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), batch_stats, opt_state, loss

    init = flat("init/", variables)
    params, batch_stats, opt_state, loss = train_step(params, batch_stats, opt_state, x, y)
    eval_out = model.apply({"params": params, "batch_stats": batch_stats}, x, train=False)
    return {**init, "loss": loss, **flat("params/", params),
            **flat("batch_stats/", batch_stats), "eval_out": eval_out}
