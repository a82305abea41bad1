"""chex's first program: a `chex.dataclass` as a pytree (through jit and tree_map),
and its assertions, one of which must fail."""
import chex
import jax
import jax.numpy as jnp


@chex.dataclass
class Params:
    w: chex.Array
    b: chex.Array


def main():
    params = Params(w=jnp.arange(3.0), b=jnp.ones(()))
    doubled = jax.tree_util.tree_map(lambda leaf: 2 * leaf, params)
    chex.assert_shape(params.w, (3,))
    chex.assert_rank([params.w, params.b], [1, 0])
    chex.assert_type(params.w, jnp.float32)
    chex.assert_trees_all_close(doubled, Params(w=2 * jnp.arange(3.0), b=2 * jnp.ones(())))
    chex.assert_tree_all_finite(params)
    chex.assert_equal_shape([params.w, doubled.w])

    @jax.jit
    @chex.assert_max_traces(n=1)
    def forward(params, x):
        return jnp.dot(params.w, x) + params.b

    y1 = forward(params, jnp.ones(3))
    y2 = forward(doubled, jnp.ones(3))          # same shapes: no second trace
    try:
        chex.assert_shape(params.w, (4,))
        failed = "no error"
    except AssertionError as e:
        failed = type(e).__name__ + ": " + str(e).splitlines()[0][:200]
    try:
        chex.assert_trees_all_close(params, doubled)
        close_failed = False
    except AssertionError:
        close_failed = True
    replaced = params.replace(b=jnp.zeros(()))
    return {"leaves": jnp.concatenate([jnp.ravel(leaf) for leaf in jax.tree_util.tree_leaves(doubled)]),
            "num_leaves": jax.tree_util.tree_structure(params).num_leaves,
            "y1": y1, "y2": y2, "failed": failed, "close_failed": close_failed,
            "replaced_b": replaced.b, "keys": ",".join(params.keys())}
