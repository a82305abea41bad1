"""flax.nnx's first program: an MLP with BatchNorm built from `nnx.Rngs`, one
`nnx.jit` step with `nnx.value_and_grad` and `nnx.Optimizer` (optax adam)."""
import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, din, dhidden, dout, *, rngs: nnx.Rngs):
        # No bias before BatchNorm (as usual): BatchNorm subtracts the mean, so such a bias's
        # gradient is zero but for rounding, and Adam would turn that rounding noise into a
        # full-size step: a value that differs between CPUs even in JAX itself.
        self.linear1 = nnx.Linear(din, dhidden, use_bias=False, rngs=rngs)
        self.bn = nnx.BatchNorm(dhidden, momentum=0.9, rngs=rngs)
        self.linear2 = nnx.Linear(dhidden, dout, rngs=rngs)

    def __call__(self, x):
        return self.linear2(nnx.relu(self.bn(self.linear1(x))))


def flat(prefix, state):
    """Copies of the state's leaves named by their paths: {"init/linear1/kernel": ...}
    (copies: the model's variables are updated in place by the step)."""
    return {prefix + jax.tree_util.keystr(path, simple=True, separator="/"): jnp.array(leaf)
            for path, leaf in jax.tree_util.tree_leaves_with_path(state)}


def main():
    kx, ky = jax.random.split(jax.random.PRNGKey(1))
    x = jax.random.normal(kx, (32, 4))
    y = jax.random.normal(ky, (32, 1))
    model = MLP(4, 16, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    init = flat("init/", nnx.state(model))

    @nnx.jit
    def train_step(model, optimizer, x, y):
        def loss_fn(model):
            return jnp.mean((model(x) - y) ** 2)
        loss, grads = nnx.value_and_grad(loss_fn)(model)
        optimizer.update(model, grads)
        return loss

    loss = train_step(model, optimizer, x, y)
    model.eval()
    eval_out = model(x)
    return {**init, "loss": loss, **flat("after/", nnx.state(model)), "eval_out": eval_out}
