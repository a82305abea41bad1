"""Host callbacks: Python functions called from inside a program (``pure_callback``,
``io_callback``, ``debug.callback``, ``debug.print``).

Four primitives, each with every rule in its section below:

- ``pure_callback``: a function of its inputs only; it may be called any number of
  times (once per example under ``vmap``, as ``vmap_method`` says) or not at all (its
  equation is pruned when nothing uses its results); not differentiable.
- ``io_callback``: a function with side effects; never pruned; ``ordered=True`` keeps
  ordered calls in program order (and cannot be vmapped).
- ``debug_callback``, ``debug_print``: no results; never pruned; transparent to
  ``grad`` (the callback sees primal values) and unrolled per example under ``vmap``.

How XLA calls Python (JAX's ``mlir.emit_python_callback``, on CPU): the callback is
lowered to ``stablehlo.custom_call @xla_ffi_python_cpu_callback`` (a typed-FFI
target that jaxlib registers), whose ``backend_config`` names it by ``index``: its
place in the module's ``host_callbacks`` (``lowering.ModuleBuilder``), which
``runtime.compile`` hands to XLA with the module. XLA then calls it with NumPy
arrays and takes a tuple of NumPy arrays back; the callback itself sees glassbox
arrays, as it does eagerly, where the primitive just calls it.

    >>> f = jax.jit(lambda x: jax.pure_callback(np.sin, x, x) * 2)   # x: the result type
    >>> print(f.lower(jnp.ones(3)).as_text())
    ... "stablehlo.custom_call"(%arg0) {api_version = 4 : i32, backend_config = {index = 0 : ui64},
        call_target_name = "xla_ffi_python_cpu_callback", ...}

Effects: glassbox has no effect types. The effectful primitives are listed in
``core.effectful_primitives``, so ``dce_jaxpr`` never drops them; ordered callbacks
of one function body are chained through a ``!stablehlo.token`` (each takes the
token the previous one returned), which fixes their order in the compiled program.
A program with callbacks returns only once they have all run (``runtime``).
"""
import logging
import string
import sys

import numpy as np

from .. import dtypes, runtime, source_info, tree_util
from ..array import device_put
from ..core import (Primitive, ShapedArray, abstract_eval_rules, abstract_token,
                    effectful_primitives, impl_rules, is_array_like)
from ..interpreters import ad, batching
from ..interpreters.lowering import lowering_rules
from .scans import map as lax_map, scan
from .shape import broadcast
from .slicing import index_in_dim

__all__ = ["pure_callback", "pure_callback_p", "io_callback", "io_callback_p",
           "debug_callback", "debug_callback_p", "debug_print", "debug_print_p"]


class _FlatCallback:
    """The user's callback, called with flat arguments and returning flat results.

    A parameter of the callback primitives: equal for the same function and argument
    structure (so retracing gives equal equations), as JAX's ``_FlatCallback``."""

    __slots__ = ("callback_func", "in_tree")

    def __init__(self, callback_func, in_tree):
        self.callback_func = callback_func
        self.in_tree = in_tree

    def __call__(self, *flat_args):
        args, kwargs = tree_util.tree_unflatten(self.in_tree, flat_args)
        return tree_util.tree_leaves(self.callback_func(*args, **kwargs))

    def __eq__(self, other):
        return (type(other) is _FlatCallback and self.callback_func == other.callback_func
                and self.in_tree == other.in_tree)

    def __hash__(self):
        return hash((self.callback_func, self.in_tree))

    def __repr__(self):
        return f"_FlatCallback(callback_func={self.callback_func!r}, in_tree={self.in_tree})"


# --- shared pieces: calling back, checking results, lowering ---------------------

def _result_avals(result_shape_dtypes):
    """Flat result avals and their tree; 64-bit types are refused without x64 (JAX)."""
    leaves, tree = tree_util.tree_flatten(result_shape_dtypes)
    for leaf in leaves:
        dtype = np.dtype(leaf.dtype)
        if dtypes.canonicalize_dtype(dtype) != dtype:
            raise ValueError("result_shape_dtypes cannot specify 64-bit types when "
                             "`jax_enable_x64` is disabled")
    return tuple(ShapedArray(leaf.shape, leaf.dtype) for leaf in leaves), tree


def _call(callback, args):
    """Call ``callback`` on ``args`` (NumPy arrays from XLA, or eager values) as arrays.

    An interrupt inside it (Ctrl-C while a breakpoint waits, the debugger's quit) is
    noted, so that the program's caller gets it as itself and not as XLA's error."""
    try:
        return callback(*[device_put(a) for a in args])
    except (KeyboardInterrupt, SystemExit) as e:
        runtime.note_callback_interrupt(e)
        raise


def _checked(outs, result_avals):
    """The callback's results as NumPy arrays of the promised types (JAX's checks and
    messages; Python scalars and float64 without x64 are canonicalized first)."""
    outs = list(outs)
    if len(outs) != len(result_avals):
        raise RuntimeError(f"Mismatched number of outputs from callback. Expected: "
                           f"{len(result_avals)}, Actual: {len(outs)}")
    checked = []
    for i, (out, aval) in enumerate(zip(outs, result_avals)):
        out = np.asarray(out)
        out = out.astype(dtypes.canonicalize_dtype(out.dtype), copy=False)
        if out.shape != aval.shape:
            raise RuntimeError(f"Incorrect output shape for return value #{i}: Expected: "
                               f"{aval.shape}, Actual: {out.shape}")
        if out.dtype != aval.dtype:
            raise RuntimeError(f"Incorrect output dtype for return value #{i}: Expected: "
                               f"{aval.dtype}, Actual: {out.dtype}")
        checked.append(out)
    return checked


def _host_function(run, ordered):
    """What XLA calls: ``run(*numpy arrays) -> results``; an ordered call also takes the
    token first and hands it back first."""
    if not ordered:
        return lambda *arrays: tuple(run(*arrays))
    return lambda token, *arrays: (token, *run(*arrays))


def _layout(aval):
    """Row-major, minor-to-major, as a ``custom_call`` layout attribute."""
    if aval is abstract_token or not aval.shape:
        return "dense<> : tensor<0xindex>"
    dims = ", ".join(str(d) for d in range(len(aval.shape) - 1, -1, -1))
    return f"dense<[{dims}]> : tensor<{len(aval.shape)}xindex>"


def _emit_callback(ctx, run, args, *, has_side_effect, ordered):
    """Lower one host callback: a ``custom_call`` to jaxlib's Python-callback target.

    ``run(*numpy arrays)`` returns the results (NumPy arrays of ``ctx.avals_out``).
    An ordered callback takes the body's current effect token and gives the next one."""
    index = ctx.module.add_host_callback(_host_function(run, ordered))
    operands, avals_in, avals_out = list(args), list(ctx.avals_in), list(ctx.avals_out)
    if ordered:
        token = ctx.fb.effect_token
        if token is None:
            token = ctx.op("stablehlo.create_token", [], abstract_token)
        operands, avals_in = [token] + operands, [abstract_token] + avals_in
        avals_out = [abstract_token] + avals_out
    attrs = {
        "api_version": "4 : i32",
        "backend_config": f"{{index = {index} : ui64}}",
        "call_target_name": f'"{runtime.host_callback_target()}"',
        "has_side_effect": "true" if has_side_effect else "false",
        "operand_layouts": "[" + ", ".join(map(_layout, avals_in)) + "]",
        "result_layouts": "[" + ", ".join(map(_layout, avals_out)) + "]",
    }
    results = ctx.op("stablehlo.custom_call", operands, avals_out, attrs=attrs)
    if ordered:
        ctx.fb.effect_token, *results = results
    return results


def _now_or_later(name, function, first, args, kwargs):
    """JAX's two call forms of the debug functions: with its first argument, call
    ``function`` now; without (the options only), return it for a later call."""
    if first is not None:
        function(first, *args, **kwargs)
        return None
    if args or kwargs:
        raise TypeError(f"{name} received unexpected arguments in the two-call form: "
                        f"args={args} kwargs={kwargs}")
    return function


def _register_debug_rules(prim):
    """The transform rules of a result-less debug primitive (debug.callback, debug.print),
    as JAX's: under ``jvp`` it sees the primals only; it has no cotangents; under
    ``vmap`` it is unrolled over the axis, one call per example, in order, each with
    that example's slice of the batched arguments."""
    def jvp(primals, tangents, **params):
        return prim.bind(*primals, **params), []

    def transpose(ct, *args, **params):
        return [None] * len(args)

    def batch(axis_data, args, dims, **params):
        # A callback that wants to know its example (debug.breakpoint's) has ``for_example``.
        for_example = getattr(params.get("callback"), "for_example", None)
        for i in range(axis_data.size):
            if for_example is not None:
                params = dict(params, callback=for_example(i))
            prim.bind(*[x if d is None else index_in_dim(x, i, d, keepdims=False)
                        for x, d in zip(args, dims)], **params)
        return [], []

    ad.jvp_rules[prim], ad.transpose_rules[prim] = jvp, transpose
    batching.batch_rules[prim] = batch
    effectful_primitives.add(prim)


def _split_callback_args(args, kwargs):
    """``(in_tree, array leaves, {position: other leaf})``: the leaves that are not arrays
    (strings, None, objects) are passed to the callback as they are, not traced."""
    leaves, in_tree = tree_util.tree_flatten((args, kwargs))
    dynamic, static = [], {}
    for i, leaf in enumerate(leaves):
        if is_array_like(leaf):
            dynamic.append(leaf)
        else:
            static[i] = leaf
    return in_tree, dynamic, static


def _merge_callback_args(in_tree, dynamic, static):
    """The callback's ``(args, kwargs)`` again, from the array leaves and the others."""
    static = dict(static)
    dynamic = iter(dynamic)
    leaves = [static[i] if i in static else next(dynamic)
              for i in range(in_tree.num_leaves)]
    return tree_util.tree_unflatten(in_tree, leaves)


# --- pure_callback ---------------------------------------------------------------

def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None,
                  **kwargs):
    """Call a pure Python function from inside a (possibly transformed) program.

    ``callback(*args, **kwargs)`` receives arrays and returns a pytree of arrays matching
    ``result_shape_dtypes`` (leaves with ``shape`` and ``dtype``, e.g.
    ``ShapeDtypeStruct``). Being pure, it may run more or fewer times than written:
    under ``jit`` it is not called at all when nothing uses its results.

    Under ``vmap``, ``vmap_method`` says how: ``"sequential"`` (a ``scan`` over the
    examples, one call each), ``"sequential_unrolled"`` (the same loop unrolled),
    ``"expand_dims"`` (one call on the whole batch; unbatched arguments get a leading
    axis of size 1), ``"broadcast_all"`` (unbatched arguments tiled to the batch size),
    ``"legacy_vectorized"`` (one call; unbatched arguments as they are). Without one,
    vmapping raises ``NotImplementedError``. Not differentiable (``ValueError``: wrap it
    in ``custom_jvp``/``custom_vjp``).

    Lowers to ``stablehlo.custom_call @xla_ffi_python_cpu_callback``.

        >>> jax.jit(lambda x: jax.pure_callback(np.cos, x, x))(jnp.zeros(2))
        Array([1., 1.], dtype=float32)
    """
    allowed = ["sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
               "legacy_vectorized", None]
    if vmap_method not in allowed:
        raise ValueError(f"vmap_method must be on of the allowed methods {allowed}, but got: "
                         f"{vmap_method}")
    flat_args, in_tree = tree_util.tree_flatten((args, kwargs))
    result_avals, out_tree = _result_avals(result_shape_dtypes)
    outs = pure_callback_p.bind(*flat_args, callback=_FlatCallback(callback, in_tree),
                                result_avals=result_avals, sharding=sharding,
                                vmap_method=vmap_method)
    return tree_util.tree_unflatten(out_tree, outs)


pure_callback_p = Primitive("pure_callback", multiple_results=True)


def _pure_callback_abstract_eval(*avals, callback, result_avals, sharding, vmap_method):
    return list(result_avals)


def _pure_callback_impl(*args, callback, result_avals, sharding, vmap_method):
    if result_avals and all(a.size == 0 for a in result_avals):
        # Nothing to compute: XLA replaces a call without effects whose results are all
        # empty by those (empty) constants, under jit and, in JAX, eagerly too.
        return [device_put(np.zeros(a.shape, a.dtype)) for a in result_avals]
    return [device_put(o) for o in _checked(_call(callback, args), result_avals)]


def _pure_callback_lowering(ctx, *args, callback, result_avals, sharding, vmap_method):
    return _emit_callback(ctx, lambda *xs: _checked(_call(callback, xs), result_avals), args,
                          has_side_effect=False, ordered=False)


def _pure_callback_jvp(primals, tangents, **params):
    raise ValueError("Pure callbacks do not support JVP. Please use `jax.custom_jvp` to use "
                     "callbacks while taking gradients.")


def _pure_callback_transpose(ct, *args, **params):
    raise ValueError("Pure callbacks do not support transpose. Please use `jax.custom_vjp` "
                     "to use callbacks while taking gradients.")


def _pure_callback_batch(axis_data, args, dims, *, callback, result_avals, sharding,
                         vmap_method):
    """As JAX's ``ffi_batching_rule``: the batch axis goes first, then ``vmap_method``."""
    size = axis_data.size
    args = [x if d is None else batching.moveaxis(x, d, 0) for x, d in zip(args, dims)]
    batched_avals = tuple(a.update(shape=(size,) + a.shape) for a in result_avals)
    params = dict(callback=callback, sharding=sharding, vmap_method=vmap_method)
    if vmap_method == "legacy_vectorized":
        outs = pure_callback_p.bind(*args, result_avals=batched_avals, **params)
    elif vmap_method in ("expand_dims", "broadcast_all"):
        lead = size if vmap_method == "broadcast_all" else 1
        args = [broadcast(x, (lead,)) if d is None else x for x, d in zip(args, dims)]
        outs = pure_callback_p.bind(*args, result_avals=batched_avals, **params)
    elif vmap_method in ("sequential", "sequential_unrolled"):
        batched = [x for x, d in zip(args, dims) if d is not None]

        def one_example(carry, xs):
            it = iter(xs)
            merged = [x if d is None else next(it) for x, d in zip(args, dims)]
            return carry, pure_callback_p.bind(*merged, result_avals=result_avals, **params)
        _, outs = scan(one_example, (), batched,
                       unroll=vmap_method == "sequential_unrolled")
    else:
        raise NotImplementedError(
            f"vmap is only supported for the pure_callback primitive when vmap_method is one "
            f"of 'sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', or "
            f"'legacy_vectorized'. Got vmap_method={vmap_method!r}.")
    return list(outs), [0] * len(outs)


abstract_eval_rules[pure_callback_p] = _pure_callback_abstract_eval
impl_rules[pure_callback_p] = _pure_callback_impl
lowering_rules[pure_callback_p] = _pure_callback_lowering
ad.jvp_rules[pure_callback_p] = _pure_callback_jvp
ad.transpose_rules[pure_callback_p] = _pure_callback_transpose
batching.batch_rules[pure_callback_p] = _pure_callback_batch


# --- io_callback -----------------------------------------------------------------

def io_callback(callback, result_shape_dtypes, *args, sharding=None, ordered=False,
                **kwargs):
    """Call a Python function with side effects from inside a program
    (``glassbox.experimental.io_callback``).

    As ``pure_callback``, but never pruned (it runs even when its results are unused),
    and with ``ordered=True`` the ordered calls of a function run in program order.
    Under ``vmap`` it runs once per example (a ``lax.map``); an ordered one cannot be
    vmapped (``ValueError``). Not differentiable (``ValueError``).

    Lowers to ``stablehlo.custom_call @xla_ffi_python_cpu_callback`` with
    ``has_side_effect = true`` (ordered: threading a ``!stablehlo.token``).
    """
    flat_args, in_tree = tree_util.tree_flatten((args, kwargs))
    result_avals, out_tree = _result_avals(result_shape_dtypes)
    outs = io_callback_p.bind(*flat_args, callback=_FlatCallback(callback, in_tree),
                              result_avals=result_avals, sharding=sharding,
                              ordered=bool(ordered))
    return tree_util.tree_unflatten(out_tree, outs)


io_callback_p = Primitive("io_callback", multiple_results=True)


def _io_callback_abstract_eval(*avals, callback, result_avals, sharding, ordered):
    return list(result_avals)


def _io_callback_impl(*args, callback, result_avals, sharding, ordered):
    return [device_put(o) for o in _checked(_call(callback, args), result_avals)]


def _io_callback_lowering(ctx, *args, callback, result_avals, sharding, ordered):
    return _emit_callback(ctx, lambda *xs: _checked(_call(callback, xs), result_avals), args,
                          has_side_effect=True, ordered=ordered)


def _io_callback_jvp(primals, tangents, **params):
    raise ValueError("IO callbacks do not support JVP.")


def _io_callback_transpose(ct, *args, **params):
    raise ValueError("IO callbacks do not support transpose.")


def _io_callback_batch(axis_data, args, dims, *, callback, result_avals, sharding, ordered):
    if ordered:
        raise ValueError("Cannot `vmap` ordered IO callback.")
    args = [x if d is None else batching.moveaxis(x, d, 0) for x, d in zip(args, dims)]
    batched = [x for x, d in zip(args, dims) if d is not None]

    def one_example(xs):
        it = iter(xs)
        merged = [x if d is None else next(it) for x, d in zip(args, dims)]
        return io_callback_p.bind(*merged, callback=callback, result_avals=result_avals,
                                  sharding=sharding, ordered=False)
    outs = lax_map(one_example, batched)
    return list(outs), [0] * len(outs)


abstract_eval_rules[io_callback_p] = _io_callback_abstract_eval
impl_rules[io_callback_p] = _io_callback_impl
lowering_rules[io_callback_p] = _io_callback_lowering
ad.jvp_rules[io_callback_p] = _io_callback_jvp
ad.transpose_rules[io_callback_p] = _io_callback_transpose
batching.batch_rules[io_callback_p] = _io_callback_batch
effectful_primitives.add(io_callback_p)


# --- debug_callback --------------------------------------------------------------

def debug_callback(callback=None, *args, ordered=False, partitioned=False, **kwargs):
    """Call ``callback(*args, **kwargs)`` (for its effect; it returns nothing) from inside
    a program (``glassbox.debug.callback``).

    Never pruned; under ``grad`` it sees the primal values (tangents are dropped); under
    ``vmap`` it is called once per example; inside ``scan``/``while_loop`` once per
    iteration. Arguments that are not arrays (strings, None...) reach it unchanged.
    ``ordered=True`` keeps ordered callbacks in program order. Also callable in JAX's
    two-call form, ``debug.callback(ordered=True)(callback, *args)``.

    Lowers to ``stablehlo.custom_call @xla_ffi_python_cpu_callback`` with
    ``has_side_effect = true`` and no results.
    """
    def _debug_callback(callback, *c_args, **c_kwargs):
        if not callable(callback):
            raise TypeError(f"first argument to jax.debug.callback must be callable, but got "
                            f"an object of type {type(callback)}")
        in_tree, dynamic, static = _split_callback_args(c_args, c_kwargs)

        def flat_callback(*dyn):
            c_args, c_kwargs = _merge_callback_args(in_tree, dyn, static)
            callback(*c_args, **c_kwargs)
            return ()
        debug_callback_p.bind(*dynamic, callback=flat_callback, ordered=bool(ordered),
                              partitioned=bool(partitioned))

    return _now_or_later("debug_callback", _debug_callback, callback, args, kwargs)


debug_callback_p = Primitive("debug_callback", multiple_results=True)


def _debug_callback_abstract_eval(*avals, callback, ordered, partitioned):
    return []


def _debug_callback_impl(*args, callback, ordered, partitioned):
    _call(callback, args)
    return []


def _debug_callback_lowering(ctx, *args, callback, ordered, partitioned):
    def run(*xs):
        _call(callback, xs)
        return ()
    return _emit_callback(ctx, run, args, has_side_effect=True, ordered=ordered)


abstract_eval_rules[debug_callback_p] = _debug_callback_abstract_eval
impl_rules[debug_callback_p] = _debug_callback_impl
lowering_rules[debug_callback_p] = _debug_callback_lowering
_register_debug_rules(debug_callback_p)


# --- debug_print -----------------------------------------------------------------

class _FormatChecker(string.Formatter):
    """Formats nothing; only checks that every argument has a place in the format."""

    def format_field(self, value, format_spec):
        return ""

    def check_unused_args(self, used_args, args, kwargs):
        unused_args = [arg for i, arg in enumerate(args) if i not in used_args]
        unused_kwargs = [k for k in kwargs if k not in used_args]
        if unused_args:
            raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused_args}")
        if unused_kwargs:
            raise ValueError(
                f"Unused keyword arguments to `jax.debug.print`: {unused_kwargs}. You may be "
                f"passing an f-string (i.e, `f\"{{x}}\"`) into `jax.debug.print` and instead "
                f"should pass in a regular string.")


_format_checker = _FormatChecker()


def debug_print(fmt=None, *args, ordered=False, partitioned=False, skip_format_check=False,
                _use_logging=False, **kwargs):
    """Print ``fmt.format(*args, **kwargs)`` from inside a program, with the values the
    arguments have when it runs (``glassbox.debug.print``).

    Not an f-string: formatting waits for the values, so write
    ``debug.print("x = {x}", x=x)``. Behaves as ``debug.callback`` under transforms (one
    line per example under ``vmap``, primal values under ``grad``), prints to
    ``sys.stdout`` with the NumPy print options in force when it was called, and checks
    that every argument is used (``ValueError``). Two-call form:
    ``debug.print(ordered=True)("x = {}", x)``. ``debug.log`` is this function with
    ``_use_logging=True``: the message goes to the ``glassbox.debugging`` logger at INFO,
    as a record naming the user's file and line (made when tracing, as JAX's).
    """
    def _debug_print(fmt, *c_args, **c_kwargs):
        if not skip_format_check:
            _format_checker.format(fmt, *c_args, **c_kwargs)
        has_placeholders = False
        if fmt:
            _, field_name, *_ = next(iter(string.Formatter().parse(fmt)))
            has_placeholders = field_name is not None
        in_tree, dynamic, static = _split_callback_args(c_args, c_kwargs)
        debug_print_p.bind(*dynamic, fmt=fmt, ordered=bool(ordered),
                           partitioned=bool(partitioned), in_tree=in_tree,
                           static_args=tuple(static.items()),
                           np_printoptions=tuple(np.get_printoptions().items()),
                           has_placeholders=has_placeholders,
                           logging_record=_logging_record() if _use_logging else None)

    return _now_or_later("debug_print", _debug_print, fmt, args, kwargs)


debug_print_p = Primitive("debug_print", multiple_results=True)


_logger = logging.getLogger("glassbox.debugging")


class _LogRecord:
    """A logging record made when ``debug.log`` is traced (the user's file and line),
    sent with its message when the program runs. Parameters of a primitive are
    compared when a function is retraced, so records from the same line are equal."""

    __slots__ = ("file", "line")

    def __init__(self, file, line):
        self.file, self.line = file, line

    def __eq__(self, other):
        return isinstance(other, _LogRecord) and (self.file, self.line) == (other.file, other.line)

    def __hash__(self):
        return hash((self.file, self.line))

    def emit(self, message):
        _logger.handle(_logger.makeRecord(_logger.name, logging.INFO, self.file, self.line,
                                          message, (), None))


def _logging_record():
    frame = source_info.user_frame()
    if frame is None:
        return _LogRecord("(unknown file)", 0)
    return _LogRecord(frame.f_code.co_filename, frame.f_lineno)


def _print_values(dynamic, *, fmt, in_tree, static_args, np_printoptions, has_placeholders,
                  logging_record=None, **_):
    args, kwargs = _merge_callback_args(in_tree, [device_put(x) for x in dynamic], static_args)
    if has_placeholders:
        with np.printoptions(**dict(np_printoptions)):
            message = fmt.format(*args, **kwargs)
    else:
        message = " ".join((fmt, *(str(a) for a in args)))
    if logging_record is not None:
        logging_record.emit(message)
    else:
        sys.stdout.write(message + "\n")


def _debug_print_abstract_eval(*avals, **params):
    return []


def _debug_print_impl(*args, **params):
    _print_values(args, **params)
    return []


def _debug_print_lowering(ctx, *args, **params):
    def run(*xs):
        _print_values(xs, **params)
        return ()
    return _emit_callback(ctx, run, args, has_side_effect=True, ordered=params["ordered"])


abstract_eval_rules[debug_print_p] = _debug_print_abstract_eval
impl_rules[debug_print_p] = _debug_print_impl
lowering_rules[debug_print_p] = _debug_print_lowering
_register_debug_rules(debug_print_p)
