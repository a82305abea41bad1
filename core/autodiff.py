"""The user-facing differentiation API: jvp, linearize, vjp, grad, jacobians, custom rules.

All of it is built on ``glassbox.ad``: ``jvp`` runs the JVP trace, ``vjp`` and
``grad`` linearize then transpose. Names, signatures and semantics follow JAX.
"""
import functools

import numpy as np

from . import ad, dtypes, source_info
from .ad import Zero, instantiate
from .array import device_put
from .core import get_aval
from .errors import GlassboxError
from .tree_util import tree_flatten, tree_map, tree_unflatten

float0 = np.dtype([("float0", np.void, 0)])


def _check_callable(fun, transform):
    if not callable(fun):
        raise TypeError(f"{transform} expects a callable, got {fun!r}")


def _flatten_fun(fun, in_tree, has_aux=False):
    """``fun`` of pytrees -> a function of flat leaves; output structure lands in ``store``."""
    store = {}

    def flat_fun(*leaves):
        out = fun(*tree_unflatten(in_tree, leaves))
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError("a function transformed with has_aux=True must return a pair "
                                f"(output, auxiliary data), got {type(out).__name__}")
            out, store["aux"] = out
        out_leaves, store["out_tree"] = tree_flatten(out)
        return out_leaves
    return flat_fun, store


# ---------------------------------------------------------------------------
# Forward mode


def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product: ``(fun(*primals), J @ tangents)``.

    Args:
      fun: function of pytrees of arrays.
      primals, tangents: tuples (or lists) of the same structure, shapes and dtypes.

    Example::

        jvp(jnp.sin, (0.5,), (1.0,))   # (sin(0.5), cos(0.5))
    """
    _check_callable(fun, "jvp")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples or lists of arguments, got "
                        f"{type(primals).__name__} and {type(tangents).__name__}")
    flat_p, tree_p = tree_flatten(tuple(primals))
    flat_t, tree_t = tree_flatten(tuple(tangents))
    if tree_p != tree_t:
        raise TypeError(f"jvp: primal and tangent arguments must have the same tree structure; "
                        f"got {tree_p} and {tree_t}")
    ts = []
    for i, (p, t) in enumerate(zip(flat_p, flat_t)):
        pa, ta = get_aval(p), get_aval(t)
        if pa.shape != ta.shape:
            raise ValueError(f"jvp: primal and tangent {i} must have equal shapes, got "
                             f"{pa.shape} and {ta.shape}")
        if ad.tangent_aval(pa) is None:
            ts.append(Zero(pa))
            continue
        if ta.dtype != pa.dtype:
            raise TypeError(f"jvp: primal and tangent {i} must have equal dtypes, got "
                            f"{pa.dtype.name} and {ta.dtype.name}")
        ts.append(t)
    flat_fun, store = _flatten_fun(fun, tree_p, has_aux)
    with source_info.extend_name_stack("jvp"):
        p_out, t_out = ad.jvp_flat(flat_fun, flat_p, ts, store)
    t_out = [_materialize(t) for t in t_out]
    out = (tree_unflatten(store["out_tree"], p_out), tree_unflatten(store["out_tree"], t_out))
    return out + (store["aux"],) if has_aux else out


def _materialize(t):
    """A user-facing tangent/cotangent: a symbolic Zero becomes an Array of zeros."""
    if type(t) is Zero:
        if ad.tangent_aval(t.aval) is None:
            return np.zeros(t.aval.shape, float0)
        aval, t = t.aval, instantiate(t)
        if isinstance(t, (np.ndarray, np.generic)):   # host zeros
            return device_put(t, weak_type=aval.weak_type)
    if isinstance(t, (int, float, complex, np.ndarray, np.generic)):
        return device_put(t)       # a custom rule's Python number: an Array, as in JAX
    return t


def linearize(fun, *primals, has_aux=False):
    """``(fun(*primals), f_jvp)`` where ``f_jvp(*tangents)`` evaluates the linearized function."""
    _check_callable(fun, "linearize")
    flat_p, in_tree = tree_flatten(primals)
    flat_fun, store = _flatten_fun(fun, in_tree, has_aux)
    p_out, linear, t_avals, out_t_avals = ad.linearize_flat(flat_fun, flat_p, store)
    out_tree = store["out_tree"]

    def f_jvp(*tangents):
        flat_t, tree_t = tree_flatten(tangents)
        if tree_t != in_tree:
            raise TypeError(f"linearized function expects tangents of structure {in_tree}, "
                            f"got {tree_t}")
        from .core import eval_jaxpr
        ins = [t for t, a in zip(flat_t, t_avals) if a is not None]
        outs = iter(eval_jaxpr(linear.jaxpr, linear.consts, *ins))
        flat_out = [next(outs) if a is not None else np.zeros(get_aval(p).shape, float0)
                    for p, a in zip(p_out, out_t_avals)]
        return tree_unflatten(out_tree, flat_out)
    result = (tree_unflatten(out_tree, p_out), f_jvp)
    return result + (store["aux"],) if has_aux else result


# ---------------------------------------------------------------------------
# Reverse mode


def vjp(fun, *primals, has_aux=False):
    """Vector-Jacobian product: ``(fun(*primals), vjp_fun)``; ``vjp_fun(ct)`` returns ``ct @ J``
    as a tuple with one cotangent per primal argument.

    Reverse mode is linearize + transpose: the forward pass runs now, recording the
    linear (tangent) program; ``vjp_fun`` transposes it.
    """
    _check_callable(fun, "vjp")
    flat_p, in_tree = tree_flatten(primals)
    flat_fun, store = _flatten_fun(fun, in_tree, has_aux)
    p_out, linear, t_avals, out_t_avals = ad.linearize_flat(flat_fun, flat_p, store)
    out_tree = store["out_tree"]

    def vjp_fun(ct):
        flat_ct, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"vjp: cotangent must have the structure of the primal output "
                            f"{out_tree}, got {ct_tree}")
        cts = []
        for i, (c, p, a) in enumerate(zip(flat_ct, p_out, out_t_avals)):
            if get_aval(c).shape != get_aval(p).shape:
                raise ValueError(f"vjp: cotangent {i} has shape {get_aval(c).shape} but the "
                                 f"primal output has shape {get_aval(p).shape}")
            if a is not None:
                cts.append(c)
        with source_info.extend_name_stack("transpose"):
            cts_in = iter(ad.backward_pass(linear.jaxpr, linear.consts, cts))
        flat_in = [_materialize(next(cts_in)) if a is not None
                   else np.zeros(get_aval(p).shape, float0) for p, a in zip(flat_p, t_avals)]
        return tuple(tree_unflatten(in_tree, flat_in))
    result = (tree_unflatten(out_tree, p_out), vjp_fun)
    return result + (store["aux"],) if has_aux else result


class GradError(GlassboxError, TypeError):
    """Bad use of grad: non-scalar output, integer input, argnums out of range."""


def _argnums_tuple(argnums, nargs, transform):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not isinstance(n, int) or not -nargs <= n < nargs:
            raise GradError(f"{transform}: argnums {argnums!r} is out of range for a function "
                            f"called with {nargs} positional argument(s) (at "
                            f"{source_info.user_location()})")
    return nums


def _check_input_dtypes(args, allow_int, holomorphic, transform):
    for leaf in tree_flatten(args)[0]:
        dtype = get_aval(leaf).dtype
        if holomorphic and not dtypes.is_complex(dtype):
            raise GradError(f"{transform} with holomorphic=True requires complex inputs, got "
                            f"{dtype.name}")
        if not allow_int and not dtypes.is_inexact(dtype):
            raise GradError(
                f"{transform} requires real- or complex-valued inputs (a floating or complex "
                f"dtype), but got {dtype.name} at {source_info.user_location()}. To "
                f"differentiate with respect to integer or boolean inputs use vjp, or set "
                f"allow_int=True (their gradient is then float0 zeros).")


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """A function returning ``(fun(*args), gradient of fun w.r.t. args[argnums])``.

    Args:
      fun: returns a real scalar (or ``(scalar, aux)`` with ``has_aux=True``).
      argnums: int or tuple of ints: which positional arguments to differentiate.
      has_aux: fun returns a pair; the aux data is passed through undifferentiated.
      allow_int: allow integer inputs (their gradient is float0 zeros).

    Example (aux output)::

        def loss(w, x):
            pred = x @ w
            return jnp.mean(pred ** 2), pred
        (value, pred), g = value_and_grad(loss, has_aux=True)(w, x)
    """
    _check_callable(fun, "value_and_grad")
    name = getattr(fun, "__name__", "fun")

    @functools.wraps(fun, updated=())
    def value_and_grad_f(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "grad")
        diff = tuple(args[i] for i in nums)
        _check_input_dtypes(diff, allow_int, holomorphic, "grad")

        def partial_fun(*diff_args):
            full = list(args)
            for i, a in zip(nums, diff_args):
                full[i] = a
            return fun(*full, **kwargs)
        with source_info.extend_name_stack(f"grad({name})"):
            out = vjp(partial_fun, *diff, has_aux=has_aux)
        value, pullback = out[0], out[1]
        _check_scalar_output(value, holomorphic)
        one = _ones_like(value)
        grads = pullback(one)
        g = grads[0] if isinstance(argnums, int) else grads
        return ((value, out[2]), g) if has_aux else (value, g)
    return value_and_grad_f


def _check_scalar_output(value, holomorphic):
    leaves = tree_flatten(value)[0]
    if len(leaves) != 1 or get_aval(leaves[0]).shape != ():
        shape = get_aval(leaves[0]).shape if len(leaves) == 1 else f"a pytree of {len(leaves)}"
        raise GradError(f"Gradient only defined for scalar-output functions. Output had shape: "
                        f"{shape} (at {source_info.user_location()}). Reduce it (e.g. with "
                        f"jnp.sum or jnp.mean), or use jacrev/vjp for non-scalar outputs.")
    dtype = get_aval(leaves[0]).dtype
    if not holomorphic and not dtypes.is_float(dtype):
        raise GradError(f"grad requires real-valued outputs (a floating dtype); got "
                        f"{dtype.name}. For complex outputs use holomorphic=True or vjp.")


def _ones_like(value):
    """The seed cotangent 1.0, weakly typed when the output is (JAX's grad keeps weak types)."""
    from . import lax
    aval = get_aval(value)
    return lax.convert_element_type(1.0, aval.dtype, weak_type=aval.weak_type)


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """The gradient of scalar-valued ``fun`` w.r.t. positional argument(s) ``argnums``.

    ``grad(f)(x)`` works through Python control flow, recursion and closures: the
    forward pass runs on concrete values. Nest it freely: ``grad(grad(f))``.

    Example::

        grad(lambda x: x ** 3)(2.0)   # 12.0
    """
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @functools.wraps(fun, updated=())
    def grad_f(*args, **kwargs):
        (value, grads) = vg(*args, **kwargs)
        if has_aux:
            return grads, value[1]
        return grads
    return grad_f


def stop_gradient(x):
    """Identity whose derivative is zero: no gradient flows through ``x`` (a pytree)."""
    return tree_map(lambda leaf: ad.stop_gradient_p.bind(leaf), x)


def linear_transpose(fun, *primals):
    """The transpose of the linear function ``fun``, at inputs shaped like ``primals``."""
    from .tracing import trace_to_jaxpr
    flat, in_tree = tree_flatten(primals)
    flat_fun, store = _flatten_fun(fun, in_tree)
    avals = [get_aval(p).strip_weak_type() for p in flat]
    closed = trace_to_jaxpr(flat_fun, avals, "linear_transpose")
    out_tree = store["out_tree"]

    def transposed(*cts):
        ct = cts[0] if len(cts) == 1 else cts
        flat_ct, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"linear_transpose: cotangent structure {ct_tree} does not match "
                            f"the output structure {out_tree}")
        res = ad.backward_pass(closed.jaxpr, closed.consts, flat_ct)
        return tuple(tree_unflatten(in_tree, [instantiate(r) for r in res]))
    return transposed


# ---------------------------------------------------------------------------
# Jacobians and Hessians: vmap over a standard basis of jvps or vjps


def _std_basis(leaves):
    """Rows of the identity over all of ``leaves``' elements, one (N,)+shape array per leaf.

    Under a trace (jit, make_jaxpr) the identity is built from iota inside the
    program, as JAX does: XLA fuses it into its consumers, where a NumPy identity
    would become an N x N constant read from memory.
    """
    from . import core
    sizes = [int(np.prod(get_aval(x).shape, dtype=np.int64)) for x in leaves]
    n = sum(sizes)
    eager = core.current_trace() is core.eval_trace
    out, start = [], 0
    for x, size in zip(leaves, sizes):
        aval = get_aval(x)
        dtype = aval.dtype if dtypes.is_inexact(aval.dtype) else np.dtype(np.float32)
        block = (np.eye(n, size, -start, dtype) if eager else _iota_eye(n, size, start, dtype))
        out.append(block.reshape((n,) + aval.shape))
        start += size
    return out, sizes


def _iota_eye(n, size, start, dtype):
    """``np.eye(n, size, -start)`` as traced primitives."""
    from . import lax
    rows = lax.broadcasted_iota(np.int32, (n, size), 0)
    cols = lax.broadcasted_iota(np.int32, (n, size), 1)
    return lax.convert_element_type(lax.eq(rows, lax.add(cols, np.int32(start))), dtype)


def _split_last(jac, sizes, in_leaves):
    """(out_shape + (N,)) -> per input leaf (out_shape + in_shape)."""
    from . import numpy as jnp
    out_shape = get_aval(jac).shape[:-1]
    parts, start = [], 0
    for size, leaf in zip(sizes, in_leaves):
        part = jac[..., start:start + size]
        parts.append(jnp.reshape(part, out_shape + get_aval(leaf).shape))
        start += size
    return parts


def _split_first(jac, sizes, out_leaves):
    """((N,) + in_shape) -> per output leaf (out_shape + in_shape)."""
    from . import numpy as jnp
    in_shape = get_aval(jac).shape[1:]
    parts, start = [], 0
    for size, leaf in zip(sizes, out_leaves):
        part = jac[start:start + size]
        parts.append(jnp.reshape(part, get_aval(leaf).shape + in_shape))
        start += size
    return parts


def _diff_args(fun, args, kwargs, argnums, transform):
    nums = _argnums_tuple(argnums, len(args), transform)

    def partial_fun(*diff_args):
        full = list(args)
        for i, a in zip(nums, diff_args):
            full[i] = a
        return fun(*full, **kwargs)
    return partial_fun, tuple(args[i] for i in nums)


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """Jacobian by forward mode: ``vmap`` of ``jvp`` over the input basis.

    Output leaves have shape ``out_shape + in_shape``. Efficient for "tall" Jacobians
    (few inputs, many outputs).
    """
    from .batching import vmap

    def jacfun(*args, **kwargs):
        partial_fun, diff = _diff_args(fun, args, kwargs, argnums, "jacfwd")
        _check_input_dtypes(diff, False, holomorphic, "jacfwd")
        flat, in_tree = tree_flatten(diff)
        basis, sizes = _std_basis(flat)

        def push(*t_flat):
            return jvp(partial_fun, diff, tree_unflatten(in_tree, t_flat), has_aux=has_aux)
        out = vmap(push, out_axes=(None, -1, None) if has_aux else (None, -1))(*basis)
        jac = out[1]
        example = diff if not isinstance(argnums, int) else diff[0]
        ex_tree = tree_flatten(example)[1]
        jac_tree = tree_map(lambda j: ex_tree.unflatten(_split_last(j, sizes, flat)), jac)
        return (jac_tree, out[2]) if has_aux else jac_tree
    return jacfun


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """Jacobian by reverse mode: ``vmap`` of the ``vjp`` over the output basis.

    Output leaves have shape ``out_shape + in_shape``. Efficient for "wide" Jacobians
    (many inputs, few outputs).
    """
    from .batching import vmap

    def jacfun(*args, **kwargs):
        partial_fun, diff = _diff_args(fun, args, kwargs, argnums, "jacrev")
        _check_input_dtypes(diff, allow_int, holomorphic, "jacrev")
        out = vjp(partial_fun, *diff, has_aux=has_aux)
        y, pullback = out[0], out[1]
        flat_y, out_tree = tree_flatten(y)
        basis, sizes = _std_basis(flat_y)
        cts = vmap(lambda *b: pullback(tree_unflatten(out_tree, b)))(*basis)
        cts = cts if not isinstance(argnums, int) else cts[0]
        flat_ct, ex_tree = tree_flatten(cts)
        per_in = [_split_first(c, sizes, flat_y) for c in flat_ct]   # [in][out]
        per_out = [ex_tree.unflatten([per_in[i][o] for i in range(len(per_in))])
                   for o in range(len(flat_y))]
        jac_tree = tree_unflatten(out_tree, per_out)
        return (jac_tree, out[2]) if has_aux else jac_tree
    return jacfun


jacobian = jacrev


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Hessian: ``jacfwd(jacrev(fun))``; leaves have shape ``out + in + in``."""
    return jacfwd(jacrev(fun, argnums, has_aux, holomorphic), argnums, has_aux, holomorphic)
