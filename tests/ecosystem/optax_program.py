"""optax's first program: fit a linear regression with `adam`, and with a chained
optimizer (`clip_by_global_norm` then `adamw`), 20 jitted steps each; the losses and
the final parameters are the results."""
import jax
import jax.numpy as jnp
import optax


def make_data():
    kx, kw, kn = jax.random.split(jax.random.PRNGKey(0), 3)
    x = jax.random.normal(kx, (64, 4))
    w_true = jax.random.normal(kw, (4, 1))
    y = x @ w_true + 0.5 + 0.1 * jax.random.normal(kn, (64, 1))
    return x, y


def fit(optimizer, x, y, steps=20):
    params = {"w": jnp.zeros((4, 1)), "b": jnp.zeros((1,))}
    opt_state = optimizer.init(params)

    def loss_fn(params):
        return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

    @jax.jit
    def step(params, opt_state):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    losses = []
    for _ in range(steps):
        params, opt_state, loss = step(params, opt_state)
        losses.append(loss)
    return jnp.stack(losses), params


def main():
    x, y = make_data()
    adam_losses, adam_params = fit(optax.adam(0.1), x, y)
    chained = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(0.1, weight_decay=1e-2))
    chain_losses, chain_params = fit(chained, x, y)
    return {"adam_losses": adam_losses, "adam_w": adam_params["w"], "adam_b": adam_params["b"],
            "chain_losses": chain_losses, "chain_w": chain_params["w"],
            "chain_b": chain_params["b"]}
