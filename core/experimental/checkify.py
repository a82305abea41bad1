"""``glassbox.experimental.checkify``: runtime checks as values (JAX's checkify).

XLA cannot raise an exception in the middle of a program, so a ``check`` staged into a
``jit`` cannot fail there. ``checkify(f)`` rewrites ``f`` so that its checks (and, if
asked, automatic ones: NaNs, division by zero, out-of-bounds indices) become an *error
value* computed with the rest of the program and returned beside its result::

    def f(x):
        checkify.check(x > 0, "{} must be positive!", x)
        return jnp.log(x)

    err, y = jax.jit(checkify.checkify(f))(-1.)
    err.get()     # '-1.0 must be positive! (`check` failed)'
    err.throw()   # raises checkify.JaxRuntimeError with that message

How it works (as JAX's ``jax/_src/checkify.py``): ``f`` is traced to a jaxpr, then the
jaxpr is re-interpreted on the current trace (eager, ``jit``, ``vmap``, ``grad``...)
equation by equation, carrying an ``Error`` along. ``error_checks`` holds one rule per
checked primitive, ``rule(error, enabled_errors, *args, **params) -> (error, outs)``:
it binds the primitive and merges a new assertion into the error. Equations holding a
body (``jit``, ``cond``, ``scan``, ``while``, ``checkpoint``) get a body rewritten the
same way, taking the error leaves as extra inputs and returning them as extra outputs.
A ``check`` equation (``lax.checks.check_p``) is *discharged*: its error is merged in.

The error value holds, per kind of error (an ``ErrorEffect``: the exception class and
the shapes of its payload), arrays that run inside XLA: ``_pred`` (did it happen),
``_code`` (which assertion fired first: every assertion gets a new integer when it is
traced) and ``_payload`` (the values its message needs: the ``check``'s format
arguments, the bad index). The Python side of each assertion (message template,
primitive name) is pytree metadata keyed by code, so the message is formatted on the
host by ``Error.get()``. Under ``vmap`` every array gets a batch axis and ``get()``
reports each failing example ("at mapped index i: ...").
"""
import contextlib
import functools
import itertools

import numpy as np

from .. import dtypes, lax, numpy as jnp, source_info, tree_util
from ..call_primitives import custom_jvp_call_p, custom_vjp_call_p, jit_p, remat_p
from ..core import Array, Literal, eval_jaxpr, get_aval, host_consts
from ..interpreters.tracing import trace_to_jaxpr
from ..lax.checks import JaxRuntimeError, check_p  # noqa: F401 (re-exported)

__all__ = ["Error", "ErrorCategory", "JaxRuntimeError", "all_checks", "automatic_checks",
           "check", "check_error", "checkify", "debug_check", "div_checks", "float_checks",
           "index_checks", "init_error", "nan_checks", "user_checks", "NaNError",
           "DivisionByZeroError", "OOBError", "FailedCheckError"]


# ---------------------------------------------------------------------------
# The errors a check can report (the "error categories")


class JaxException(Exception):
    """Base of the errors checkify reports. A pytree: the payload (runtime values) is
    its leaves; the rest (``traceback_info``: the user's line, and the message
    template) is static metadata."""

    def __init__(self, traceback_info):
        self.traceback_info = traceback_info

    def __init_subclass__(cls):
        tree_util.register_pytree_node_class(cls)

    def tree_flatten(self):
        return [], self.traceback_info

    @classmethod
    def tree_unflatten(cls, metadata, payload):
        return cls(metadata)

    def get_effect_type(self):
        raise NotImplementedError


@functools.total_ordering
class ErrorEffect:
    """A kind of error in an ``Error`` value: the exception class and the shapes and
    dtypes of its payload (errors of one kind share their arrays)."""

    __slots__ = ("error_type", "shape_dtypes")

    def __init__(self, error_type, shape_dtypes):
        self.error_type = error_type
        self.shape_dtypes = tuple((tuple(s), np.dtype(d).name) for s, d in shape_dtypes)

    def _key(self):
        return (str(self.error_type), self.shape_dtypes)

    def __eq__(self, other):
        return (type(other) is ErrorEffect and self.error_type is other.error_type
                and self.shape_dtypes == other.shape_dtypes)

    def __lt__(self, other):   # pytree dict keys are sorted
        return self._key() < other._key()

    def __hash__(self):
        return hash((self.error_type, self.shape_dtypes))

    def __repr__(self):
        return f"ErrorEffect({self.error_type.__name__}, {self.shape_dtypes})"


class DivisionByZeroError(JaxException):
    """An integer (or floating) division by zero (``div_checks``)."""

    def __str__(self):
        return "division by zero"

    def get_effect_type(self):
        return ErrorEffect(DivisionByZeroError, ())


class NaNError(JaxException):
    """A floating-point primitive returned a NaN (``nan_checks``)."""

    def __init__(self, traceback_info, primitive_name):
        super().__init__(traceback_info)
        self.prim = primitive_name

    def tree_flatten(self):
        return [], (self.traceback_info, self.prim)

    @classmethod
    def tree_unflatten(cls, metadata, payload):
        return cls(*metadata)

    def get_effect_type(self):
        return ErrorEffect(NaNError, ())

    def __str__(self):
        return f"nan generated by primitive: {self.prim}."


class OOBError(JaxException):
    """An out-of-bounds index in a gather, dynamic_slice, dynamic_update_slice or
    scatter (``index_checks``). Payload: int32 ``[index, axis, axis size]``."""

    def __init__(self, traceback_info, primitive_name, operand_shape, payload):
        super().__init__(traceback_info)
        self.prim = primitive_name
        self.operand_shape = operand_shape
        self._payload = payload

    def tree_flatten(self):
        return [self._payload], (self.traceback_info, self.prim, self.operand_shape)

    @classmethod
    def tree_unflatten(cls, metadata, payload):
        return cls(*metadata, payload=payload[0])

    def __str__(self):
        index, axis, size = (np.asarray(self._payload)[i] for i in range(3))
        return (f"out-of-bounds indexing for array of shape {self.operand_shape}: index "
                f"{index} is out of bounds for axis {axis} with size {size}. ")

    def get_effect_type(self):
        return ErrorEffect(OOBError, (((3,), np.int32),))


class FailedCheckError(JaxException):
    """A ``check`` whose predicate was False (``user_checks``). Payload: the format
    arguments of its message."""

    def __init__(self, traceback_info, fmt_string, *a, **k):
        super().__init__(traceback_info)
        self.fmt_string = fmt_string
        self.args = a
        self.kwargs = k

    def tree_flatten(self):
        return (self.args, self.kwargs), (self.traceback_info, self.fmt_string)

    @classmethod
    def tree_unflatten(cls, metadata, payload):
        args, kwargs = payload
        return cls(*metadata, *args, **kwargs)

    def __str__(self):
        # Formatted as JAX formats its arrays: a 0-d value as its NumPy scalar, others as
        # the NumPy array (what ``format(jax_array, spec)`` does).
        args, kwargs = tree_util.tree_map(_host_value, (self.args, self.kwargs))
        return self.fmt_string.format(*args, **kwargs) + " (`check` failed)"

    def get_effect_type(self):
        leaves = tree_util.tree_leaves((self.args, self.kwargs))
        return ErrorEffect(FailedCheckError,
                           tuple((get_aval(x).shape, get_aval(x).dtype) for x in leaves))


class BatchedError(JaxException):
    """The errors of a batch (an ``Error`` made under ``vmap``): one per failing example."""

    def __init__(self, error_mapping):
        self.error_mapping = error_mapping
        super().__init__(next(iter(error_mapping.values())).traceback_info)

    def __str__(self):
        return "\n".join(f"at mapped index {', '.join(map(str, idx))}: {e}"
                         for idx, e in self.error_mapping.items())


def _host_value(x):
    x = np.asarray(x)
    return x[()] if x.ndim == 0 else x


ErrorCategory = type[JaxException]


# ---------------------------------------------------------------------------
# The error value


@tree_util.register_pytree_node_class
class Error:
    """What a checkified function returns beside its result: which checks failed.

    ``get()`` is the message of the first failure (None if none failed), ``throw()``
    raises it as ``JaxRuntimeError``, ``get_exception()`` returns it as an exception.
    A pytree: it can be returned from ``jit``, ``vmap``, ``lax.cond``... Made under
    ``vmap`` it holds one error per example.
    """

    __slots__ = ("_pred", "_code", "_metadata", "_payload")

    def __init__(self, pred, code, metadata, payload):
        self._pred = pred          # ErrorEffect -> bool array
        self._code = code          # ErrorEffect -> int32 array: the first failure's code
        self._metadata = metadata  # code -> treedef of the exception of that assertion
        self._payload = payload    # ErrorEffect -> list of arrays

    def get(self):
        """The error message if an error happened, else None."""
        exc = self.get_exception()
        return None if exc is None else str(exc)

    def get_exception(self):
        """The Python exception of the first error, None if no error happened."""
        preds = {e: np.asarray(p) for e, p in self._pred.items()}
        if any(p.shape for p in preds.values()):
            return self._get_batched_exception(preds)
        first = self._first(preds, ())
        return None if first is None else self._exception(first, ())

    def throw(self):
        """Raise ``JaxRuntimeError`` if an error happened (as ``check_error``)."""
        _check_error(self)

    def __str__(self):
        return f"Error({self.get()})"

    __repr__ = __str__

    # --- internals

    def _first(self, preds, idx):
        """The effect whose failure has the smallest code at batch index ``idx``."""
        best, best_code = None, None
        for effect, pred in preds.items():
            if pred[idx]:
                code = int(np.asarray(self._code[effect])[idx])
                if best_code is None or code < best_code:
                    best, best_code = effect, code
        return None if best is None else (best, best_code)

    def _exception(self, first, idx):
        effect, code = first
        payload = [np.asarray(x)[idx] for x in self._payload[effect]]
        return tree_util.tree_unflatten(self._metadata[code], payload)

    def _get_batched_exception(self, preds):
        shape = np.shape(next(iter(preds.values())))
        mapping = {}
        for idx in np.ndindex(*shape):
            first = self._first(preds, idx)
            if first is not None:
                mapping[idx] = self._exception(first, idx)
        return BatchedError(mapping) if mapping else None

    def _update(self, effect, pred, code, metadata, payload):
        return Error({**self._pred, effect: pred}, {**self._code, effect: code},
                     {**self._metadata, **metadata}, {**self._payload, effect: payload})

    def _add_placeholder_effects(self, effects):
        """This error with every effect in ``effects``, never set where it was absent (so
        that a loop's carry, or the branches of a cond, have one structure)."""
        pred, code, payload = dict(self._pred), dict(self._code), dict(self._payload)
        for effect in effects:
            if effect not in pred:
                pred[effect] = np.bool_(False)
                code[effect] = np.int32(-1)
                payload[effect] = [np.ones(s, d) for s, d in effect.shape_dtypes]
        return Error(pred, code, self._metadata, payload)

    def _reduced(self):
        """A batched error (batch axis first) reduced to one example: per effect, the
        last failing one (JAX's ``argsort(pred)[-1]``; the last example if none)."""
        out = Error({}, {}, dict(self._metadata), {})
        for effect, pred in self._pred.items():
            n = pred.shape[0]
            idx = np.int32(n - 1) - jnp.argmax(pred[::-1]).astype(np.int32)
            pick = lambda x: x[idx]   # noqa: E731
            out = out._update(effect, pick(pred), pick(self._code[effect]), {},
                              [pick(x) for x in self._payload[effect]])
        return out

    # --- pytree

    def tree_flatten(self):
        return ((self._pred, self._code, self._payload),
                tuple(sorted(self._metadata.items())))

    @classmethod
    def tree_unflatten(cls, metadata, children):
        pred, code, payload = children
        return cls(pred, code, dict(metadata), payload)


init_error = Error({}, {}, {}, {})   # no error yet: where every checkified function starts
next_code = itertools.count(1).__next__   # each assertion's code, unique in the process


def _strong(x):
    """``x`` as an array of a strong type (weak types would make loop carries and
    branch outputs disagree)."""
    if isinstance(x, (bool, np.bool_)):
        return np.bool_(x)
    if getattr(get_aval(x), "weak_type", False):
        return lax.convert_element_type(x, get_aval(x).dtype)
    return x


def assert_func(error, pred, new_error):
    """``error`` with the assertion "``pred`` means ``new_error``" merged in."""
    code = next_code()
    effect = new_error.get_effect_type()
    payload, metadata = tree_util.tree_flatten(new_error)
    return update_error(error, pred, np.int32(code), {code: metadata}, payload, effect)


def update_error(error, pred, code, metadata, payload, effect):
    """Merge one assertion: the error of this kind stays the first one that happened."""
    pred = _strong(pred)
    payload = [_strong(p) for p in payload]
    old = error._pred.get(effect)
    if old is None:
        return error._update(effect, pred, code, metadata, payload)
    out_pred = jnp.logical_or(old, pred)
    out_code = jnp.where(old, error._code[effect], code).astype(np.int32)
    out_payload = [jnp.where(old, a, b).astype(get_aval(a).dtype)
                   for a, b in zip(error._payload[effect], payload)]
    return error._update(effect, out_pred, out_code, metadata, out_payload)


# ---------------------------------------------------------------------------
# check, debug_check, check_error


def _traceback_info():
    return str(source_info.current())


def check(pred, msg, *fmt_args, debug=False, **fmt_kwargs):
    """Check ``pred``; if it is False, fail with the message ``msg.format(*fmt_args,
    **fmt_kwargs)`` (format arguments are arrays, formatted with their runtime values).

    Outside ``checkify`` a failing check raises ``JaxRuntimeError`` at once; it cannot
    be staged (``jit``, ``scan``...) unless the function is first transformed by
    ``checkify``, which turns it into an error value. Under ``vmap`` one failing
    example is reported.

    Example::

        def f(x):
            checkify.check(x > 0, "{x} needs to be positive!", x=x)
            return 1 / x
        err, out = jax.jit(checkify.checkify(f))(-3.)
        err.get()   # '-3.0 needs to be positive! (`check` failed)'
    """
    _check(pred, msg, debug, *fmt_args, **fmt_kwargs)


def debug_check(pred, msg, *fmt_args, **fmt_kwargs):
    """``check`` that only runs under ``checkify``: elsewhere (eager, ``jit``) it is
    dropped."""
    _check(pred, msg, True, *fmt_args, **fmt_kwargs)


def _is_scalar_pred(pred):
    return isinstance(pred, bool) or (isinstance(pred, Array) and pred.shape == ()
                                      and pred.dtype == np.dtype(np.bool_))


def _check(pred, msg, debug, *fmt_args, **fmt_kwargs):
    if not _is_scalar_pred(pred):
        name = "debug_check" if debug else "check"
        raise TypeError(f"{name} takes a scalar pred as argument, got {pred}")
    for arg in tree_util.tree_leaves((fmt_args, fmt_kwargs)):
        if not isinstance(arg, (Array, np.ndarray)):
            raise TypeError(f"Formatting arguments to checkify.check need to be PyTrees of "
                            f"arrays, but got {arg!r} of type {type(arg)}.")
    new_error = FailedCheckError(_traceback_info(), msg, *fmt_args, **fmt_kwargs)
    error = assert_func(init_error, jnp.logical_not(pred), new_error)
    _check_error(error, debug=debug)


def _check_error(error, *, debug=False):
    if any(np.shape(p) for p in error._pred.values()):
        error = error._reduced()
    leaves, tree = tree_util.tree_flatten(error)
    check_p.bind(*leaves, err_tree=tree, debug=debug)


def check_error(error):
    """Raise ``JaxRuntimeError`` if ``error`` holds a failure; under ``checkify`` it is
    functionalized like a ``check`` (the inverse of ``checkify``: error value to
    exception). A batched error raises for one failing example."""
    if not isinstance(error, Error):
        raise TypeError(f"check_error takes an Error as argument, got type {type(error)} "
                        f"instead.")
    _check_error(error)


# ---------------------------------------------------------------------------
# The checkify interpreter

error_checks = {}   # prim -> rule(error, enabled_errors, *args, **params) -> (error, outs)


def _at(eqn):
    """Attribute what is bound while transforming ``eqn`` to the user line it came from."""
    info = eqn.source_info
    return source_info.override(info, "checkify") if info is not None \
        else contextlib.nullcontext()


def checkify_jaxpr(jaxpr, consts, enabled_errors, error, *args):
    """Evaluate ``jaxpr`` on the current trace, threading ``error`` through it: each
    equation's primitive is bound as it is, or through its ``error_checks`` rule.
    Returns ``(error, outputs)``."""
    env = dict(zip(jaxpr.constvars, consts))
    env.update(zip(jaxpr.invars, args))

    def read(atom):
        return atom.val if type(atom) is Literal else env[atom]
    for eqn in jaxpr.eqns:
        invals = [read(v) for v in eqn.invars]
        rule = error_checks.get(eqn.primitive)
        with _at(eqn):
            if rule is None:
                outs = eqn.primitive.bind(*invals, **eqn.params)
            else:
                error, outs = rule(error, enabled_errors, *invals, **eqn.params)
        if not eqn.primitive.multiple_results:
            outs = [outs]
        env.update(zip(eqn.outvars, outs))
    return error, [read(v) for v in jaxpr.outvars]


def _checked_body(closed, enabled_errors, err_tree, in_avals, at):
    """``closed`` checkified, as a jaxpr: it takes the error's leaves as extra inputs at
    position ``at`` (``in_avals`` includes them) and returns the new error's leaves
    before its outputs. Returns ``(jaxpr, error treedef out, error effects out)``; kept
    on ``closed``, so a retrace of the same body finds the same checked body."""
    n = err_tree.num_leaves

    def build():
        box = {}

        def body(*args):
            err_vals, rest = args[at:at + n], args[:at] + args[at + n:]
            error = tree_util.tree_unflatten(err_tree, err_vals)
            error, outs = checkify_jaxpr(closed.jaxpr, closed.consts, enabled_errors, error,
                                         *rest)
            leaves, box["tree"] = tree_util.tree_flatten(error)
            box["effects"] = frozenset(error._pred)
            return [*map(_strong, leaves), *outs]
        name = f"checkify({closed.jaxpr.name})" if closed.jaxpr.name else "checkify"
        checked = host_consts(trace_to_jaxpr(body, list(in_avals), name))
        return checked, box["tree"], box["effects"]
    return closed.derived(("checkify", enabled_errors, err_tree, tuple(in_avals), at), build)


def _avals(xs):
    return [get_aval(x) for x in xs]


def _merge_metadata(error, trees, err_leaves):
    """The error of ``err_leaves`` with the metadata of every tree in ``trees``."""
    metadata = {}
    for tree in trees:
        metadata.update(tree_util.tree_unflatten(tree, err_leaves)._metadata)
    out = tree_util.tree_unflatten(trees[0], err_leaves)
    return Error(out._pred, out._code, {**error._metadata, **metadata}, out._payload)


# --- automatic checks: NaNs, division by zero, out-of-bounds indices -----------------

def _check_nans(prim, error, enabled_errors, out):
    if NaNError not in enabled_errors:
        return error
    outs = out if prim.multiple_results else [out]
    floats = [o for o in outs if dtypes.is_inexact(get_aval(o).dtype)]
    if not floats:
        return error
    any_nan = functools.reduce(jnp.logical_or, [jnp.any(jnp.isnan(o)) for o in floats])
    return assert_func(error, any_nan, NaNError(_traceback_info(), prim.name))


def _nan_rule(prim):
    def rule(error, enabled_errors, *args, **params):
        out = prim.bind(*args, **params)
        return _check_nans(prim, error, enabled_errors, out), out
    return rule


# Every primitive that can make a NaN (JAX's list, of those glassbox has).
_NAN_PRIMITIVES = (
    "acos acosh add asin asinh atan2 atan atanh bessel_i0e bessel_i1e cbrt "
    "conv_general_dilated cos cosh cumlogsumexp cummax cummin cumprod cumsum digamma "
    "dot_general erf_inv erf erfc exp expm1 fft igamma_grad_a igamma igammac integer_pow "
    "lgamma linear_solve log1p log logistic mul pad pow psum reduce reduce_prod reduce_sum "
    "reduce_window reduce_window_sum regularized_incomplete_beta rem rng_uniform rsqrt sin "
    "sinh sqrt sub tan tanh").split()
for _name in _NAN_PRIMITIVES:
    _prim = getattr(lax, f"{_name}_p", None)
    if _prim is not None:
        error_checks[_prim] = _nan_rule(_prim)


def _div_rule(error, enabled_errors, x, y):
    """Division: a zero divisor (any dtype, as JAX), then NaNs."""
    if DivisionByZeroError in enabled_errors:
        any_zero = jnp.any(jnp.equal(y, 0))
        error = assert_func(error, any_zero, DivisionByZeroError(_traceback_info()))
    out = lax.div_p.bind(x, y)
    return _check_nans(lax.div_p, error, enabled_errors, out), out


error_checks[lax.div_p] = _div_rule


def _oob_payload(oob_mask, indices, dims_map, operand_shape):
    """int32 ``[index, axis, axis size]`` of the first out-of-bounds index."""
    flat_idx = jnp.argmin(jnp.logical_not(oob_mask))
    multi_idx = jnp.unravel_index(flat_idx, indices.shape)
    oob_axis = jnp.asarray(np.array(dims_map, np.int32))[multi_idx[-1]]
    oob_axis_size = jnp.asarray(np.array(operand_shape, np.int32))[oob_axis]
    oob_index = jnp.ravel(indices)[flat_idx]
    return jnp.stack([oob_index.astype(np.int32), oob_axis, oob_axis_size])


def _assert_in_bounds(error, oob_mask, indices, dims_map, operand_shape, prim_name):
    payload = _oob_payload(oob_mask, indices, dims_map, operand_shape)
    return assert_func(error, jnp.any(oob_mask),
                       OOBError(_traceback_info(), prim_name, operand_shape, payload))


def _start_indices(idx):
    return jnp.stack([jnp.asarray(i) for i in idx])


def _dynamic_slice_rule(error, enabled_errors, operand, *start_indices, slice_sizes):
    out = lax.dynamic_slice_p.bind(operand, *start_indices, slice_sizes=slice_sizes)
    shape = get_aval(operand).shape
    if OOBError not in enabled_errors or not shape:
        return error, out
    starts = _start_indices(start_indices)
    dims = np.array(shape, starts.dtype)
    oob = (starts < 0) | (starts + np.array(slice_sizes, starts.dtype) > dims)
    error = _assert_in_bounds(error, oob, starts, range(len(shape)), shape, "dynamic_slice")
    return error, out


def _dynamic_update_slice_rule(error, enabled_errors, operand, update, *start_indices):
    out = lax.dynamic_update_slice_p.bind(operand, update, *start_indices)
    shape = get_aval(operand).shape
    if OOBError not in enabled_errors or not shape:
        return error, out
    starts = _start_indices(start_indices)
    dims = np.array(shape, starts.dtype)
    oob = (starts < 0) | (starts + np.array(get_aval(update).shape, starts.dtype) > dims)
    error = _assert_in_bounds(error, oob, starts, range(len(shape)), shape,
                              "dynamic_update_slice")
    return error, out


def _gather_rule(error, enabled_errors, operand, indices, *, dimension_numbers, slice_sizes,
                 **params):
    out = lax.gather_p.bind(operand, indices, dimension_numbers=dimension_numbers,
                            slice_sizes=slice_sizes, **params)
    index_map = tuple(dimension_numbers.start_index_map)
    if OOBError not in enabled_errors or not index_map:
        return error, out
    shape = get_aval(operand).shape
    idx_aval = get_aval(indices)
    upper = (np.array(shape, np.int64)[list(index_map)]
             - np.array(slice_sizes, np.int64)[list(index_map)])
    upper = np.minimum(upper, np.iinfo(idx_aval.dtype).max).astype(idx_aval.dtype)
    oob = (indices < 0) | (indices > upper)   # upper broadcasts along the last axis
    error = _assert_in_bounds(error, oob, indices, index_map, shape, "gather")
    return error, out


error_checks[lax.dynamic_slice_p] = _dynamic_slice_rule
error_checks[lax.dynamic_update_slice_p] = _dynamic_update_slice_rule
error_checks[lax.gather_p] = _gather_rule


def _scatter_rule(prim):
    def rule(error, enabled_errors, operand, indices, updates, *, dimension_numbers, **params):
        """Out-of-bounds indices (as XLA clamps them), then NaNs (as JAX: only when
        index checks are on)."""
        out = prim.bind(operand, indices, updates, dimension_numbers=dimension_numbers,
                        **params)
        if OOBError not in enabled_errors:
            return error, out
        d = dimension_numbers
        shape, upd_shape = get_aval(operand).shape, get_aval(updates).shape
        idx_dtype = get_aval(indices).dtype
        sizes, pos = [], 0
        for i in range(len(shape)):
            if i in d.inserted_window_dims or i in getattr(d, "operand_batching_dims", ()):
                sizes.append(1)
            else:
                sizes.append(upd_shape[d.update_window_dims[pos]])
                pos += 1
        upper = np.array([shape[i] - sizes[i] for i in d.scatter_dims_to_operand_dims],
                         np.int64)
        upper = np.minimum(upper, np.iinfo(idx_dtype).max).astype(idx_dtype)
        oob = (indices < 0) | (indices > upper)
        error = _assert_in_bounds(error, oob, indices, d.scatter_dims_to_operand_dims, shape,
                                  prim.name)
        return _check_nans(prim, error, enabled_errors, out), out
    return rule


for _prim in (lax.scatter_p, lax.scatter_add_p, lax.scatter_mul_p, lax.scatter_min_p,
              lax.scatter_max_p):
    error_checks[_prim] = _scatter_rule(_prim)


# --- check itself: discharged ----------------------------------------------------

def _check_discharge_rule(error, enabled_errors, *args, err_tree, debug):
    """Merge a staged check's error into the one being threaded (only its enabled
    kinds: as in JAX, the others are dropped)."""
    new_error = tree_util.tree_unflatten(err_tree, args)
    for effect, pred in new_error._pred.items():
        if effect.error_type in enabled_errors:
            error = update_error(error, pred, new_error._code[effect], {},
                                 new_error._payload[effect], effect)
    error = Error(error._pred, error._code, {**new_error._metadata, **error._metadata},
                  error._payload)
    return error, []


error_checks[check_p] = _check_discharge_rule


# --- equations with bodies ----------------------------------------------------------

def _call_rule(prim):
    def rule(error, enabled_errors, *args, jaxpr, **params):
        """jit and checkpoint: the same call, of the checked body."""
        err_vals, err_tree = tree_util.tree_flatten(error)
        body, out_tree, _ = _checked_body(jaxpr, enabled_errors, err_tree,
                                          _avals(err_vals) + list(jaxpr.in_avals), 0)
        if "donated_invars" in params:
            params = dict(params, donated_invars=(False,) * len(err_vals)
                          + tuple(params["donated_invars"]))
        outs = prim.bind(*err_vals, *args, jaxpr=body, **params)
        n = out_tree.num_leaves
        return tree_util.tree_unflatten(out_tree, outs[:n]), outs[n:]
    return rule


error_checks[jit_p] = _call_rule(jit_p)
error_checks[remat_p] = _call_rule(remat_p)


def _custom_rule(prim):
    def rule(error, enabled_errors, *args, jaxpr, **params):
        """custom_jvp/custom_vjp functions: the call is kept with its derivative rules, its
        body stripped of checks; if the body has checks (or automatic ones apply), they
        are computed beside it, on the primal values (``stop_gradient``): a check sees
        primal values only, as in JAX."""
        stripped, _, _ = _checked_body(jaxpr, frozenset(), _INIT_TREE, jaxpr.in_avals, 0)
        outs = prim.bind(*args, jaxpr=stripped, **params)
        err_vals, err_tree = tree_util.tree_flatten(error)
        _, out_tree, _ = _checked_body(jaxpr, enabled_errors, err_tree,
                                       _avals(err_vals) + list(jaxpr.in_avals), 0)
        if out_tree == err_tree:   # nothing to check in the body
            return error, outs
        primals = [lax.stop_gradient(a) if dtypes.is_inexact(get_aval(a).dtype) else a
                   for a in args]
        error, _ = checkify_jaxpr(jaxpr.jaxpr, jaxpr.consts, enabled_errors, error, *primals)
        return error, outs
    return rule


_INIT_TREE = tree_util.tree_structure(init_error)
error_checks[custom_jvp_call_p] = _custom_rule(custom_jvp_call_p)
error_checks[custom_vjp_call_p] = _custom_rule(custom_vjp_call_p)


def _with_body_effects(error, bodies):
    """``error`` with placeholders for every kind of error the bodies can raise, so that
    it has the same structure going into and out of them. ``bodies``: a function of
    ``(err_tree, err avals)`` giving the effects of the checked bodies."""
    err_vals, err_tree = tree_util.tree_flatten(error)
    return error._add_placeholder_effects(bodies(err_tree, _avals(err_vals)))


def _cond_rule(error, enabled_errors, index, *ops, branches):
    in_avals = list(branches[0].in_avals)

    def effects(err_tree, err_avals):
        return set().union(*(_checked_body(b, enabled_errors, err_tree, err_avals + in_avals,
                                           0)[2] for b in branches))
    error = _with_body_effects(error, effects)
    err_vals, err_tree = tree_util.tree_flatten(error)
    checked = [_checked_body(b, enabled_errors, err_tree, _avals(err_vals) + in_avals, 0)
               for b in branches]
    outs = lax.cond_p.bind(index, *err_vals, *ops, branches=tuple(c[0] for c in checked))
    n = err_tree.num_leaves
    return _merge_metadata(error, [c[1] for c in checked], outs[:n]), outs[n:]


def _scan_rule(error, enabled_errors, *args, jaxpr, length, reverse, unroll, num_consts,
               num_carry):
    in_avals = list(jaxpr.in_avals)

    def effects(err_tree, err_avals):
        avals = in_avals[:num_consts] + err_avals + in_avals[num_consts:]
        return _checked_body(jaxpr, enabled_errors, err_tree, avals, num_consts)[2]
    error = _with_body_effects(error, effects)
    err_vals, err_tree = tree_util.tree_flatten(error)
    avals = in_avals[:num_consts] + _avals(err_vals) + in_avals[num_consts:]
    body, out_tree, _ = _checked_body(jaxpr, enabled_errors, err_tree, avals, num_consts)
    consts, rest = args[:num_consts], args[num_consts:]
    outs = lax.scan_p.bind(*consts, *err_vals, *rest, jaxpr=body, length=length,
                           reverse=reverse, unroll=unroll, num_consts=num_consts,
                           num_carry=num_carry + len(err_vals))
    n = len(err_vals)
    return _merge_metadata(error, [out_tree], outs[:n]), outs[n:]


def _while_parts(cond_jaxpr, body_jaxpr, cond_nconsts, enabled_errors, err_tree, err_avals):
    """The checked while body: ``(cond consts, body consts, error, carry) -> (error,
    carry)``, running the body, then checking the next evaluation of the cond."""
    n, cc_avals = err_tree.num_leaves, list(cond_jaxpr.in_avals[:cond_nconsts])
    body_avals = list(body_jaxpr.in_avals)
    nb = len(body_avals) - (len(cond_jaxpr.in_avals) - cond_nconsts)   # body consts
    box = {}

    def body(*args):
        cc, bc = args[:cond_nconsts], args[cond_nconsts:cond_nconsts + nb]
        ev, carry = args[cond_nconsts + nb:cond_nconsts + nb + n], args[cond_nconsts + nb + n:]
        error = tree_util.tree_unflatten(err_tree, ev)
        error, carry = checkify_jaxpr(body_jaxpr.jaxpr, body_jaxpr.consts, enabled_errors,
                                      error, *bc, *carry)
        error, _ = checkify_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, enabled_errors,
                                  error, *cc, *carry)
        leaves, box["tree"] = tree_util.tree_flatten(error)
        box["effects"] = frozenset(error._pred)
        return [*map(_strong, leaves), *carry]
    avals = cc_avals + body_avals[:nb] + err_avals + body_avals[nb:]
    checked = host_consts(trace_to_jaxpr(body, avals, "checkify(while_body)"))
    return checked, box["tree"], box["effects"], nb


def _while_rule(error, enabled_errors, *args, cond_jaxpr, body_jaxpr, cond_nconsts,
                body_nconsts):
    cc, bc, carry = (list(args[:cond_nconsts]),
                     list(args[cond_nconsts:cond_nconsts + body_nconsts]),
                     list(args[cond_nconsts + body_nconsts:]))
    # The first evaluation of the cond, before the loop.
    error, _ = checkify_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, enabled_errors, error,
                              *cc, *carry)

    def effects(err_tree, err_avals):
        return _while_parts(cond_jaxpr, body_jaxpr, cond_nconsts, enabled_errors, err_tree,
                            err_avals)[2]
    error = _with_body_effects(error, effects)
    err_vals, err_tree = tree_util.tree_flatten(error)
    err_avals = _avals(err_vals)
    body, out_tree, _, _ = _while_parts(cond_jaxpr, body_jaxpr, cond_nconsts, enabled_errors,
                                        err_tree, err_avals)
    n = len(err_vals)
    carry_avals = list(cond_jaxpr.in_avals[cond_nconsts:])

    def cond(*args):   # (cond consts, error, carry) -> pred; checked in the body
        return eval_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts,
                          *args[:cond_nconsts], *args[cond_nconsts + n:])
    cond_checked = host_consts(trace_to_jaxpr(
        cond, list(cond_jaxpr.in_avals[:cond_nconsts]) + err_avals + carry_avals,
        "while_cond"))
    outs = lax.while_p.bind(*cc, *cc, *bc, *err_vals, *carry, cond_jaxpr=cond_checked,
                            body_jaxpr=body, cond_nconsts=cond_nconsts,
                            body_nconsts=cond_nconsts + body_nconsts)
    return _merge_metadata(error, [out_tree], outs[:n]), outs[n:]


error_checks[lax.cond_p] = _cond_rule
error_checks[lax.scan_p] = _scan_rule
error_checks[lax.while_p] = _while_rule


# ---------------------------------------------------------------------------
# The public API

user_checks = frozenset({FailedCheckError})
nan_checks = frozenset({NaNError})
index_checks = frozenset({OOBError})
div_checks = frozenset({DivisionByZeroError})
float_checks = nan_checks | div_checks
automatic_checks = float_checks | index_checks
all_checks = automatic_checks | user_checks


def checkify(f, errors=user_checks):
    """Functionalize the ``check``s in ``f``, and add the automatic checks in ``errors``.

    Returns a function with ``f``'s arguments that returns ``(error, f's output)``:
    ``error.get()`` is the message of the first check that failed (None if none did),
    ``error.throw()`` raises it. ``errors`` is a set of error categories:

    - ``user_checks`` (the default): ``check``s whose predicate is False;
    - ``nan_checks``: a floating-point primitive returned a NaN;
    - ``div_checks``: a division by zero;
    - ``index_checks``: an out-of-bounds index (gather, dynamic_slice, scatter...);
    - ``float_checks`` (nan and div), ``automatic_checks`` (all but user checks),
      ``all_checks``; combine them with ``|``.

    The checked function is pure: ``jit``, ``vmap`` (one error per example), ``grad``
    and control flow compose with it in any order.

    Example::

        @jax.jit
        def f(x):
            return x + jnp.sin(x)
        err, out = checkify.checkify(f, errors=checkify.float_checks)(jnp.inf)
        err.get()   # 'nan generated by primitive: sin.'
    """
    enabled = frozenset(errors)

    @functools.wraps(f)
    def checked_fun(*args, **kwargs):
        box = {}

        def flat():   # the arguments are closed over: inside the jaxpr they are consts
            leaves, box["tree"] = tree_util.tree_flatten(f(*args, **kwargs))
            return leaves
        name = getattr(f, "__name__", "fun")
        closed = trace_to_jaxpr(flat, [], f"checkify({name})")
        error, out = checkify_jaxpr(closed.jaxpr, closed.consts, enabled, init_error)
        return error, tree_util.tree_unflatten(box["tree"], out)
    return checked_fun
