"""equinox's first program: `eqx.nn.MLP`, trained for a few steps with
`eqx.filter_jit`, `eqx.filter_value_and_grad` and optax adam."""
import equinox as eqx
import jax
import jax.numpy as jnp
import optax


def main():
    kx, ky, kmodel = jax.random.split(jax.random.PRNGKey(0), 3)
    x = jax.random.normal(kx, (32, 3))
    y = jnp.sin(x.sum(axis=1, keepdims=True)) + 0.1 * jax.random.normal(ky, (32, 1))
    model = eqx.nn.MLP(in_size=3, out_size=1, width_size=8, depth=2, key=kmodel)
    optim = optax.adam(1e-2)
    opt_state = optim.init(eqx.filter(model, eqx.is_inexact_array))

    @eqx.filter_value_and_grad
    def loss(model, x, y):
        return jnp.mean((jax.vmap(model)(x) - y) ** 2)

    @eqx.filter_jit
    def step(model, opt_state, x, y):
        value, grads = loss(model, x, y)
        updates, opt_state = optim.update(grads, opt_state, eqx.filter(model, eqx.is_array))
        return eqx.apply_updates(model, updates), opt_state, value

    init_leaves = jax.tree_util.tree_leaves(eqx.filter(model, eqx.is_array))
    losses = []
    for _ in range(5):
        model, opt_state, value = step(model, opt_state, x, y)
        losses.append(value)
    leaves = jax.tree_util.tree_leaves(eqx.filter(model, eqx.is_array))
    out = {f"init_leaf{i}": leaf for i, leaf in enumerate(init_leaves)}
    out.update({f"leaf{i}": leaf for i, leaf in enumerate(leaves)})
    out["losses"] = jnp.stack(losses)
    out["n_leaves"] = len(leaves)
    return out
