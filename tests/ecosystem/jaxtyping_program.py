"""jaxtyping's first program: shape- and dtype-annotated functions checked at run time
by `jaxtyped(typechecker=beartype)`, as jaxtyping's documentation shows; a call with
mismatched shapes and one with the wrong dtype must fail the check."""
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, PyTree, TypeCheckError, jaxtyped


@jaxtyped(typechecker=beartype)
def linear(x: Float[Array, "batch din"], w: Float[Array, "din dout"],
           b: Float[Array, " dout"]) -> Float[Array, "batch dout"]:
    return x @ w + b


@jaxtyped(typechecker=beartype)
def count(x: Int[Array, " n"]) -> Int[Array, ""]:
    return jnp.sum(x)


@jaxtyped(typechecker=beartype)
def total(tree: PyTree[Float[Array, "..."]]) -> Float[Array, ""]:
    return sum(jnp.sum(leaf) for leaf in jax.tree_util.tree_leaves(tree))


def fails(fn, *args):
    try:
        fn(*args)
    except TypeCheckError:
        return True
    return False


def main():
    x, w, b = jnp.ones((2, 3)), jnp.full((3, 4), 0.5), jnp.arange(4.0)
    out = linear(x, w, b)
    jitted = jax.jit(linear)(x, w, b)
    return {"linear": out, "linear_jit": jitted, "count": count(jnp.arange(5)),
            "total": total({"a": jnp.ones(3), "b": [jnp.ones((2, 2))]}),
            "shape_mismatch_fails": fails(linear, x, jnp.ones((4, 4)), b),
            "dtype_mismatch_fails": fails(count, jnp.arange(5.0)),
            "isinstance_array": isinstance(x, Float[Array, "2 3"])}
