"""The user-facing differentiation API: jvp, linearize, vjp, grad, jacobians, custom rules.

All of it is built on ``glassbox.ad``: ``jvp`` runs the JVP trace, ``vjp`` and
``grad`` linearize then transpose. Names, signatures and semantics follow JAX.
"""
import functools

import numpy as np

from . import core, dtypes, lax, source_info
from .interpreters import ad
from .interpreters.ad import Zero, instantiate
from .interpreters.batching import vmap
from .interpreters.tracing import trace_to_jaxpr
from .array import device_put
from .core import eval_jaxpr, get_aval
from .lax import stop_gradient  # noqa: F401  (glassbox.stop_gradient, as in JAX)
from .errors import GlassboxError
from .traceback_util import api_boundary
from .tree_util import Partial, register_pytree_node, tree_flatten, tree_map, tree_unflatten
from .dtypes import float0  # noqa: F401  (the tangent dtype of integer inputs)


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


@api_boundary
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
        pa = get_aval(p)
        # an integer/bool primal's tangent is float0 (a NumPy array: no glassbox aval)
        t_shape, t_dtype = ((np.shape(t), float0) if getattr(t, "dtype", None) == float0
                            else (get_aval(t).shape, get_aval(t).dtype))
        if pa.shape != t_shape:
            raise ValueError(f"jvp: primal and tangent {i} must have equal shapes, got "
                             f"{pa.shape} and {t_shape}")
        expected = pa.dtype if ad.tangent_aval(pa) is not None else float0
        # (JAX also refuses an integer tangent for an integer primal; glassbox takes it as
        # a zero tangent, which check_grads over index arguments relies on)
        if t_dtype != expected and not (expected == float0 and t_dtype == pa.dtype):
            raise TypeError("primal and tangent arguments to jax.jvp do not match; dtypes must "
                            "be equal, or in case of int/bool primal dtype the tangent dtype "
                            f"must be float0.Got primal dtype {pa.dtype} and so expected "
                            f"tangent dtype {expected}, but got tangent dtype {t_dtype} "
                            "instead.")
        ts.append(Zero(pa) if expected == float0 else t)
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
    return t      # a custom rule's Python number stays one, as in JAX


@api_boundary
def linearize(fun, *primals, has_aux=False):
    """``(fun(*primals), f_jvp)`` where ``f_jvp(*tangents)`` evaluates the linearized function.

    ``f_jvp`` is a ``tree_util.Partial`` whose leaves are the residuals (the values the
    linear program reads), so it can be passed into and out of ``jit``, as in JAX.
    """
    _check_callable(fun, "linearize")
    out, meta, residuals, store = _linearize(fun, primals, has_aux)
    result = (out, Partial(meta.jvp, residuals))
    return result + (store["aux"],) if has_aux else result


class _LinearMeta:
    """The static half of a linearization: the linear jaxpr and the structures around it.

    Compared by identity, so a ``jit`` that receives a jvp/vjp function as an argument
    retraces only for a new linearization.
    """

    def __init__(self, jaxpr, in_tree, out_tree, t_avals, out_t_avals, in_shapes, out_shapes):
        self.jaxpr, self.in_tree, self.out_tree = jaxpr, in_tree, out_tree
        self.t_avals = t_avals            # per primal input: tangent aval, None for integers
        self.out_t_avals = out_t_avals    # per primal output: the same
        self.in_shapes, self.out_shapes = in_shapes, out_shapes

    def jvp(self, residuals, *tangents):
        """``linearize``'s jvp function: evaluate the linear jaxpr on ``tangents``."""
        flat_t, tree_t = tree_flatten(tangents)
        if tree_t != self.in_tree:
            raise TypeError(f"linearized function expects tangents of structure "
                            f"{self.in_tree}, got {tree_t}")
        ins = [t for t, a in zip(flat_t, self.t_avals) if a is not None]
        outs = iter(eval_jaxpr(self.jaxpr, residuals, *ins))
        flat_out = [next(outs) if a is not None else np.zeros(shape, float0)
                    for shape, a in zip(self.out_shapes, self.out_t_avals)]
        return tree_unflatten(self.out_tree, flat_out)

    def vjp(self, residuals, ct):
        """Transpose the linear jaxpr: cotangents of the outputs -> of the inputs."""
        flat_ct, ct_tree = tree_flatten(ct)
        if ct_tree != self.out_tree:
            raise TypeError(f"vjp: cotangent must have the structure of the primal output "
                            f"{self.out_tree}, got {ct_tree}")
        cts = []
        for i, (c, shape, a) in enumerate(zip(flat_ct, self.out_shapes, self.out_t_avals)):
            if get_aval(c).shape != shape:
                raise ValueError(f"vjp: cotangent {i} has shape {get_aval(c).shape} but the "
                                 f"primal output has shape {shape}")
            if a is not None:
                cts.append(c)
        with source_info.extend_name_stack("transpose"):
            cts_in = iter(ad.backward_pass(self.jaxpr, residuals,
                                                 ad.linear_inputs(self.jaxpr), cts))
        flat_in = [_materialize(next(cts_in)) if a is not None else np.zeros(shape, float0)
                   for shape, a in zip(self.in_shapes, self.t_avals)]
        return tuple(tree_unflatten(self.in_tree, flat_in))


def _linearize(fun, primals, has_aux):
    """``(primal outputs, _LinearMeta, residuals, aux store)`` of ``fun`` at ``primals``."""
    flat_p, in_tree = tree_flatten(primals)
    flat_fun, store = _flatten_fun(fun, in_tree, has_aux)
    p_out, linear, t_avals, out_t_avals = ad.linearize_flat(flat_fun, flat_p, store)
    out_tree = store["out_tree"]
    meta = _LinearMeta(linear.jaxpr, in_tree, out_tree, t_avals, out_t_avals,
                       [get_aval(p).shape for p in flat_p], [get_aval(p).shape for p in p_out])
    return tree_unflatten(out_tree, p_out), meta, list(linear.consts), store


# ---------------------------------------------------------------------------
# Reverse mode


class VJP:
    """The function ``vjp`` returns (JAX's ``api.VJP``): call it with a cotangent.

    It is a pytree whose leaves are the residuals, so it can be passed into and out of
    ``jit``; ``tree_leaves(vjp_fun)`` shows what the backward pass reads.
    """

    def __init__(self, meta, residuals, name="fun"):
        self.meta, self.residuals, self.name = meta, list(residuals), name

    def __call__(self, ct, *extra):
        if extra:
            raise TypeError(
                f"The function returned by `vjp` applied to {self.name} was called with "
                f"{len(extra) + 1} arguments, but functions returned by `vjp` must be called "
                f"with a single argument corresponding to the single value returned by the "
                f"function being differentiated (even if that returned value is a tuple or "
                f"other container): call it as f_vjp((a, b)), not f_vjp(a, b).")
        return self.meta.vjp(self.residuals, ct)


register_pytree_node(VJP, lambda v: (v.residuals, (v.meta, v.name)),
                     lambda aux, residuals: VJP(aux[0], residuals, aux[1]))


@api_boundary
def vjp(fun, *primals, has_aux=False):
    """Vector-Jacobian product: ``(fun(*primals), vjp_fun)``; ``vjp_fun(ct)`` returns ``ct @ J``
    as a tuple with one cotangent per primal argument.

    Reverse mode is linearize + transpose: the forward pass runs now, recording the
    linear (tangent) program; ``vjp_fun`` transposes it. ``vjp_fun`` is a pytree whose
    leaves are the residuals, so it can cross a ``jit`` boundary, as in JAX.
    """
    _check_callable(fun, "vjp")
    out, meta, residuals, store = _linearize(fun, primals, has_aux)
    result = (out, VJP(meta, residuals, getattr(fun, "__name__", "fun")))
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


def _at():
    return f" (at {source_info.user_location()})"


def _check_input_dtypes(args, allow_int, holomorphic, transform):
    """grad/jacrev's input check, with JAX's messages (``_check_input_dtype_revderiv``)."""
    for leaf in tree_flatten(args)[0]:
        dtype = get_aval(leaf).dtype
        if holomorphic and not dtypes.is_complex(dtype):
            raise GradError(f"{transform} with holomorphic=True requires inputs with complex "
                            f"dtype, but got {dtype.name}.{_at()}")
        if not allow_int and not dtypes.is_inexact(dtype):
            raise GradError(
                f"{transform} requires real- or complex-valued inputs (input dtype that is a "
                f"sub-dtype of np.inexact), but got {dtype.name}. If you want to use Boolean- "
                f"or integer-valued inputs, use vjp or set allow_int to True.{_at()}")


def _check_output_dtypes(out, holomorphic, transform):
    """grad/jacrev's output check, with JAX's messages (``_check_output_dtype_revderiv``)."""
    for leaf in tree_flatten(out)[0]:
        dtype = get_aval(leaf).dtype
        if holomorphic:
            if not dtypes.is_complex(dtype):
                raise GradError(f"{transform} with holomorphic=True requires outputs with "
                                f"complex dtype, but got {dtype.name}.{_at()}")
        elif dtypes.is_complex(dtype):
            raise GradError(
                f"{transform} requires real-valued outputs (output dtype that is a sub-dtype "
                f"of np.floating), but got {dtype.name}. For holomorphic differentiation, "
                f"pass holomorphic=True. For differentiation of non-holomorphic functions "
                f"involving complex outputs, use jax.vjp directly.{_at()}")
        elif not dtypes.is_float(dtype):
            raise GradError(
                f"{transform} requires real-valued outputs (output dtype that is a sub-dtype "
                f"of np.floating), but got {dtype.name}. For differentiation of functions "
                f"with integer outputs, use jax.vjp directly.{_at()}")


def _check_jacfwd_dtypes(tree, holomorphic, what):
    """jacfwd's input (and, when holomorphic, output) check, with JAX's messages."""
    for leaf in tree_flatten(tree)[0]:
        dtype = get_aval(leaf).dtype
        if holomorphic and not dtypes.is_complex(dtype):
            raise GradError(f"jacfwd with holomorphic=True requires {what}s with complex "
                            f"dtype, but got {dtype.name}.{_at()}")
        if what == "input" and not holomorphic and not dtypes.is_float(dtype):
            raise GradError(
                f"jacfwd requires real-valued inputs (input dtype that is a sub-dtype of "
                f"np.floating), but got {dtype.name}. For holomorphic differentiation, pass "
                f"holomorphic=True. For differentiation of non-holomorphic functions "
                f"involving complex inputs or integer inputs, use jax.jvp directly.{_at()}")


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

    @api_boundary
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
    _check_output_dtypes(value, holomorphic, "grad")


def _ones_like(value):
    """The seed cotangent 1.0, weakly typed when the output is (JAX's grad keeps weak types)."""
    aval = get_aval(value)
    if core.current_trace() is core.eval_trace:   # an Array, as JAX's: a custom bwd sees one
        return device_put(np.ones((), aval.dtype), weak_type=aval.weak_type)
    return lax.convert_element_type(1.0, aval.dtype, weak_type=aval.weak_type)


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """The gradient of scalar-valued ``fun`` w.r.t. positional argument(s) ``argnums``.

    ``grad(f)(x)`` works through Python control flow, recursion and closures: the
    forward pass runs on concrete values. Nest it freely: ``grad(grad(f))``.

    Example::

        grad(lambda x: x ** 3)(2.0)   # 12.0
    """
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @api_boundary
    @functools.wraps(fun, updated=())
    def grad_f(*args, **kwargs):
        (value, grads) = vg(*args, **kwargs)
        if has_aux:
            return grads, value[1]
        return grads
    return grad_f


def linear_transpose(fun, *primals):
    """The transpose of the linear function ``fun``, at inputs shaped like ``primals``."""
    flat, in_tree = tree_flatten(primals)
    flat_fun, store = _flatten_fun(fun, in_tree)
    avals = [get_aval(p).strip_weak_type() for p in flat]
    closed = trace_to_jaxpr(flat_fun, avals, "linear_transpose")
    out_tree = store["out_tree"]

    @api_boundary
    def transposed(*cts):
        ct = cts[0] if len(cts) == 1 else cts
        flat_ct, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"linear_transpose: cotangent structure {ct_tree} does not match "
                            f"the output structure {out_tree}")
        res = ad.backward_pass(closed.jaxpr, closed.consts, ad.linear_inputs(closed.jaxpr),
                              flat_ct)
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
    rows = lax.broadcasted_iota(np.int32, (n, size), 0)
    cols = lax.broadcasted_iota(np.int32, (n, size), 1)
    return lax.convert_element_type(lax.eq(rows, lax.add(cols, np.int32(start))), dtype)


def _split_last(jac, sizes, in_leaves):
    """(out_shape + (N,)) -> per input leaf (out_shape + in_shape)."""
    out_shape = get_aval(jac).shape[:-1]
    parts, start = [], 0
    for size, leaf in zip(sizes, in_leaves):
        part = lax.slice_in_dim(jac, start, start + size, axis=-1)
        parts.append(lax.reshape(part, out_shape + get_aval(leaf).shape))
        start += size
    return parts


def _split_first(jac, sizes, out_leaves):
    """((N,) + in_shape) -> per output leaf (out_shape + in_shape)."""
    in_shape = get_aval(jac).shape[1:]
    parts, start = [], 0
    for size, leaf in zip(sizes, out_leaves):
        part = lax.slice_in_dim(jac, start, start + size, axis=0)
        parts.append(lax.reshape(part, get_aval(leaf).shape + in_shape))
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
    @api_boundary
    def jacfun(*args, **kwargs):
        partial_fun, diff = _diff_args(fun, args, kwargs, argnums, "jacfwd")
        _check_jacfwd_dtypes(diff, holomorphic, "input")
        flat, in_tree = tree_flatten(diff)
        basis, sizes = _std_basis(flat)

        def push(*t_flat):
            return jvp(partial_fun, diff, tree_unflatten(in_tree, t_flat), has_aux=has_aux)
        out = vmap(push, out_axes=(None, -1, None) if has_aux else (None, -1))(*basis)
        _check_jacfwd_dtypes(out[0], holomorphic, "output")
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
    @api_boundary
    def jacfun(*args, **kwargs):
        partial_fun, diff = _diff_args(fun, args, kwargs, argnums, "jacrev")
        _check_input_dtypes(diff, allow_int, holomorphic, "jacrev")
        out = vjp(partial_fun, *diff, has_aux=has_aux)
        y, pullback = out[0], out[1]
        _check_output_dtypes(y, holomorphic, "jacrev")
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
