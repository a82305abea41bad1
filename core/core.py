"""The tracing core: abstract values, primitives, the IR, traces and tracers.

Tracing is context based ("stackless", as in JAX since 0.4.36 and the second
autodidax): there is one *current trace*. ``bind(prim, *args)`` hands the
primitive to it. Each transform's trace remembers its parent and is its own
tag: a tracer belongs to a trace only if ``tracer._trace is trace``; anything
else the trace meets is a constant to it. Transforms process a primitive by
binding again with their parent as the current trace.

The IR: a ``Jaxpr`` is typed equations (``JaxprEqn``) over variables (``Var``)
and literals (``Literal``). Every equation carries a ``SourceInfo``: the
user's file and line plus the name stack of transforms that produced it.

Rule tables live with the interpreter that uses them (rules are data):
``abstract_eval_rules`` and ``impl_rules`` here, ``lowering_rules`` in
``lowering``, and later ``jvp_rules``/``transpose_rules`` in ``ad`` and
``batch_rules`` in ``batching``. A primitive's module registers one line per
table right under the primitive.
"""
import contextlib
import itertools
import weakref

import numpy as np

from . import dtypes, runtime, source_info, traceback_util
from .dtypes import PYTHON_SCALARS
from .errors import (ConcretizationTypeError, TracerArrayConversionError,
                     TracerBoolConversionError, TracerIntegerConversionError,
                     UnexpectedTracerError)

# ---------------------------------------------------------------------------
# Abstract values


_KEEP = object()


class AbstractValue:
    """The base of every abstract value (``ShapedArray``, ``AbstractToken``); JAX's
    ``jax.core.AbstractValue``, for ``isinstance`` checks in code written against JAX."""

    __slots__ = ()


class ShapedArray(AbstractValue):
    """The type of an array: shape, dtype, whether the dtype is weak, and, over a mesh
    with ``Explicit`` axes, its sharding (a ``NamedSharding`` over the abstract mesh
    with one spec entry per dimension; None: not part of the type)."""

    __slots__ = ("shape", "dtype", "weak_type", "sharding", "_hash")

    def __init__(self, shape, dtype, weak_type=False, sharding=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)
        self.sharding = sharding
        self._hash = hash((self.shape, self.dtype, self.weak_type, sharding))

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __eq__(self, other):
        return self is other or (type(other) is ShapedArray and self._hash == other._hash
                                 and self.shape == other.shape and self.dtype == other.dtype
                                 and self.weak_type == other.weak_type
                                 and self.sharding == other.sharding)

    def __hash__(self):
        return self._hash

    def update(self, shape=None, dtype=None, weak_type=None, sharding=_KEEP):
        """A copy with these fields changed. The sharding is kept only while the shape
        is (a rule changing the shape says what the new sharding is)."""
        shape = self.shape if shape is None else tuple(shape)
        if sharding is _KEEP:
            sharding = self.sharding if shape == self.shape else None
        return ShapedArray(shape, self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type, sharding)

    def strip_weak_type(self):
        return self.update(weak_type=False) if self.weak_type else self

    def to_tangent_aval(self):
        """The type of this value's tangents, as JAX gives it: the same for floating and
        complex dtypes, ``float0`` for integers and bools (glassbox's own rules mark "no
        tangent" with a symbolic ``Zero`` of the primal type instead: ``ad.tangent_aval``)."""
        return ShapedArray(self.shape, primal_dtype_to_tangent_dtype(self.dtype),
                           self.weak_type, self.sharding)

    def str_short(self):
        name = dtype_short_name(self.dtype)
        if self.sharding is None:
            dims = ",".join(str(d) for d in self.shape)
        else:   # JAX's notation: 8@x, 8@(x,y)
            dims = ",".join(_sharded_dim(d, self.sharding.spec.axes_of(i))
                            for i, d in enumerate(self.shape))
        return f"{name}[{dims}]" + ("{weak}" if self.weak_type else "")

    def __repr__(self):
        return f"ShapedArray({self.str_short()})"

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize


class AbstractToken(AbstractValue):
    """The type of a token (``lax.create_token``): no shape and no data; it orders effects.
    One instance, ``abstract_token``; printed ``Tok``, lowered to ``!stablehlo.token``.
    ``dtype`` is bool only so that dtype-keyed rules (tangent types) pass it by."""

    __slots__ = ()
    dtype = np.dtype(np.bool_)
    weak_type = False
    sharding = None

    def str_short(self):
        return "Tok"

    def __repr__(self):
        return "AbstractToken()"


abstract_token = AbstractToken()


class Token:
    """A token value: what ``lax.create_token``/``after_all`` return and ``jit`` passes in
    and out (as JAX, an empty bool buffer underneath: ``_buf``)."""

    __slots__ = ("_buf",)
    aval = abstract_token

    def __init__(self, buf):
        self._buf = buf

    def block_until_ready(self):
        self._buf.block_until_ready()
        return self


def _sharded_dim(size, axes):
    if not axes:
        return str(size)
    return f"{size}@{axes[0]}" if len(axes) == 1 else f"{size}@({','.join(axes)})"


_SHORT = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
          "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
          "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
          "bool": "bool", "complex64": "c64", "complex128": "c128"}


def dtype_short_name(dtype):
    dtype = np.dtype(dtype)
    if dtype == dtypes.float0:
        return "float0"
    return _SHORT.get(dtype.name, dtype.name)


def primal_dtype_to_tangent_dtype(dtype):
    """JAX's tangent dtype of ``dtype``: itself if floating or complex, else ``float0``."""
    return dtype if dtypes.is_inexact(dtype) else dtypes.float0


def get_aval(x):
    """The abstract value of an Array, tracer, NumPy array or Python scalar."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval
    if type(x) in PYTHON_SCALARS:
        dtype, weak = dtypes.dtype_and_weak(x)
        dtypes.check_python_int(x, dtype)
        return ShapedArray((), dtype, weak)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(np.shape(x), dtypes.canonicalize_dtype(x.dtype), False)
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid glassbox array "
                    f"type; pass arrays, NumPy arrays or Python scalars")


def is_array_like(x):
    return (hasattr(x, "aval") or type(x) in PYTHON_SCALARS
            or isinstance(x, (np.ndarray, np.generic)))


# ---------------------------------------------------------------------------
# Primitives and the rule tables owned by this module

abstract_eval_rules = {}   # prim -> (*avals, **params) -> aval or list of avals
sharding_rules = {}        # prim -> (avals, out_avals, **params) -> out_avals with shardings
impl_rules = {}            # prim -> (*args, **params) -> outputs; default: compiled single op


class Primitive:
    """A named operation; its meaning is the set of rules registered for it.

    ``multiple_results`` may also be set after construction (``p.multiple_results =
    True``), as code written for JAX does. The ``def_*`` methods are JAX's way of
    registering rules; they write into the tables above (``def_impl`` into
    ``impl_rules``, ``def_abstract_eval`` into ``abstract_eval_rules``), so a primitive
    defined through them (``glassbox.extend.core.Primitive`` is this class) is traced,
    transformed and lowered like a built-in one.
    """

    call_primitive = False   # JAX's flags, read by code written against it
    map_primitive = False
    ref_primitive = False
    skip_canonicalization = False
    is_effectful = None

    def __init__(self, name, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results

    def bind(self, *args, **params):
        try:
            return _current.process_primitive(self, args, params)
        except Exception as err:   # free until an error escapes: then hide glassbox's frames
            traceback_util.filter_exception(err)
            raise

    def __repr__(self):
        return self.name

    # --- JAX's registration API -------------------------------------------------

    def def_impl(self, impl):
        """Eager evaluation: ``impl(*arrays, **params)`` (``impl_rules[self]``)."""
        impl_rules[self] = impl
        return impl

    def def_abstract_eval(self, abstract_eval):
        """Shape/dtype rule: ``abstract_eval(*avals, **params)`` returns an aval (a
        sequence of them when ``multiple_results``) (``abstract_eval_rules[self]``)."""
        abstract_eval_rules[self] = abstract_eval
        return abstract_eval

    def def_effectful_abstract_eval(self, effectful_abstract_eval):
        """As ``def_abstract_eval`` for a rule returning ``(avals, effects)``. glassbox has
        no effect types: a primitive that reports effects joins ``effectful_primitives``,
        so its equations are never pruned as unused (how JAX treats effectful ones)."""
        def rule(*avals, **params):
            out, effects = effectful_abstract_eval(*avals, **params)
            if effects:
                effectful_primitives.add(self)
            return out
        rule.effectful_rule = effectful_abstract_eval
        abstract_eval_rules[self] = rule
        return effectful_abstract_eval

    def impl(self, *args, **params):
        """Evaluate now: the ``impl_rules`` entry, or, for built-in primitives, compiling
        the one operation (what eager evaluation does)."""
        rule = impl_rules.get(self)
        if rule is not None:
            return rule(*args, **params)
        return _apply_primitive(self, args, params)

    def abstract_eval(self, *avals, **params):
        """``(out_aval or list of avals, effects)``, as JAX's ``Primitive.abstract_eval``
        returns them (the effects are always empty for rules without effects)."""
        rule = abstract_eval_rules.get(self)
        effectful = getattr(rule, "effectful_rule", None)
        if effectful is not None:
            return effectful(*avals, **params)
        out = abstract_eval(self, list(avals), params)
        return (out if self.multiple_results else out[0]), no_effects

    def get_bind_params(self, params):
        """The parameters ``bind`` takes to rebuild an equation of this primitive (JAX
        0.9.2+: ``params`` itself; glassbox's call primitives keep their body in them)."""
        return params


traceback_util.register_boundary(Primitive.bind.__code__)


def abstract_eval(prim, avals, params):
    """Output avals (always a list) of ``prim`` applied to ``avals``.

    When an input's type carries a sharding (``Explicit`` mesh axes), the primitive's
    sharding rule, if it has one, gives the outputs' (without one, an output keeps its
    input's sharding while its shape is the input's, else it has none: XLA decides)."""
    rule = abstract_eval_rules.get(prim)
    if rule is None:
        raise NotImplementedError(f"shape/dtype rule (abstract_eval) for primitive "
                                  f"'{prim.name}' is not defined")
    out = rule(*avals, **params)
    out = list(out) if prim.multiple_results else [out]
    for a in avals:
        if getattr(a, "sharding", None) is not None:
            typed = sharding_rules.get(prim)
            return typed(avals, out, **params) if typed is not None else out
    return out


# ---------------------------------------------------------------------------
# The IR


class Var:
    __slots__ = ("aval", "count")
    _counter = itertools.count()

    def __init__(self, aval):
        self.aval = aval
        self.count = next(Var._counter)

    def __repr__(self):
        return f"Var({self.count}:{self.aval.str_short()})"


class Literal:
    """A scalar constant written inline in the IR."""

    __slots__ = ("val", "aval")

    def __init__(self, val, aval):
        self.val = val
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.val!r})"


class JaxprEqn:
    __slots__ = ("primitive", "invars", "outvars", "params", "source_info")

    def __init__(self, primitive, invars, outvars, params, source_info):
        self.primitive = primitive
        self.invars = invars
        self.outvars = outvars
        self.params = params
        self.source_info = source_info

    def __repr__(self):
        from .pretty import pp_eqn
        return pp_eqn(self)


class Jaxpr:
    """A typed program: ``{ lambda constvars ; invars . let eqns in outvars }``."""

    __slots__ = ("constvars", "invars", "outvars", "eqns", "name", "arg_names")

    def __init__(self, constvars, invars, outvars, eqns, name="", arg_names=None):
        self.constvars = list(constvars)
        self.invars = list(invars)
        self.outvars = list(outvars)
        self.eqns = list(eqns)
        self.name = name
        self.arg_names = arg_names

    def in_avals(self):
        return [v.aval for v in self.invars]

    def out_avals(self):
        return [v.aval for v in self.outvars]

    def __str__(self):
        from .pretty import pp_jaxpr
        return pp_jaxpr(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr together with the values of its constvars."""

    __slots__ = ("jaxpr", "consts", "_derived", "__weakref__")

    def __init__(self, jaxpr, consts):
        self.jaxpr = jaxpr
        self.consts = list(consts)
        self._derived = None

    def derived(self, key, build):
        """``build()``, once per ``key``: what transforms make of this jaxpr (its jvp, its
        batched form...), kept on it so it is freed with it. A global dict keyed on jaxprs
        would keep every jaxpr alive, and so would a WeakKeyDictionary, as the values
        often hold their key."""
        if self._derived is None:
            self._derived = {}
        hit = self._derived.get(key)
        if hit is None:
            hit = self._derived[key] = build()
        return hit

    def has_derived(self, key):
        return self._derived is not None and key in self._derived

    in_avals = property(lambda self: self.jaxpr.in_avals())
    out_avals = property(lambda self: self.jaxpr.out_avals())
    eqns = property(lambda self: self.jaxpr.eqns)

    def __str__(self):
        return str(self.jaxpr)

    __repr__ = __str__

    def _repr_html_(self):
        from .pretty import jaxpr_html
        return jaxpr_html(self.jaxpr)


def subjaxprs(eqn):
    """The jaxprs nested in an equation's params (jit bodies, branches, loop bodies).

    (JAX's ``jax.extend.core.subjaxprs`` takes a whole jaxpr: ``extend.core`` has it.)"""
    return jaxprs_in_params(eqn.params)


def jaxprs_in_params(params):
    """The jaxprs among ``params``' values (alone or in tuples), as JAX's function of this
    name yields them: a ``ClosedJaxpr`` gives its ``jaxpr``."""
    for value in params.values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, ClosedJaxpr):
                yield item.jaxpr
            elif isinstance(item, Jaxpr):
                yield item


Atom = Var | Literal   # JAX's names: what an equation reads, a value, equation params
Value = object
ParamDict = dict


def jaxpr_as_fun(closed, *args):
    """Evaluate ``closed`` on ``args`` on the current trace (JAX's ``jaxpr_as_fun``; use
    ``functools.partial(jaxpr_as_fun, closed)`` for a function)."""
    return eval_jaxpr(closed.jaxpr, closed.consts, *args)


def eval_jaxpr(jaxpr, consts, *args):
    """Interpret ``jaxpr`` by binding each equation on the current trace."""
    env = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x

    def read(atom):
        return atom.val if type(atom) is Literal else env[atom]
    for eqn in jaxpr.eqns:
        with source_info.reset_name_stack(eqn.source_info.name_stack if eqn.source_info else ()):
            outs = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
        if not eqn.primitive.multiple_results:
            outs = (outs,)
        for v, x in zip(eqn.outvars, outs):
            env[v] = x
    return [read(v) for v in jaxpr.outvars]


def check_jaxpr(jaxpr):
    """Re-run shape/dtype inference on every equation; raise on the first disagreement."""
    defined = set(jaxpr.constvars) | set(jaxpr.invars)
    for i, eqn in enumerate(jaxpr.eqns):
        for v in eqn.invars:
            if type(v) is Var and v not in defined:
                raise TypeError(f"jaxpr check: equation {i} ({eqn.primitive}) reads an "
                                f"undefined variable")
        outs = abstract_eval(eqn.primitive, [v.aval for v in eqn.invars], eqn.params)
        for v, aval in zip(eqn.outvars, outs):
            if v.aval is not aval and (v.aval.shape != aval.shape   # (tokens: identical)
                                       or v.aval.dtype != aval.dtype):
                raise TypeError(f"jaxpr check: equation {i} ({eqn.primitive}) at "
                                f"{eqn.source_info} records {v.aval.str_short()} but its rule "
                                f"gives {aval.str_short()}")
            defined.add(v)
        for sub in subjaxprs(eqn):
            check_jaxpr(sub)


# ---------------------------------------------------------------------------
# Traces and tracers


class Trace:
    """An interpretation of primitives. Subclasses define ``process_primitive``.

    ``finished`` is set when the transform that owns the trace returns: a tracer
    of a finished trace has leaked (see ``check_tracer_alive``).
    """

    finished = False

    def process_primitive(self, prim, args, params):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}#{id(self) % 10000}"


class EvalTrace(Trace):
    """The bottom trace: primitives run now, on the device."""

    def process_primitive(self, prim, args, params):
        rule = impl_rules.get(prim)
        if rule is not None:
            return rule(*args, **params)
        return _apply_primitive(prim, args, params)


def _apply_primitive(prim, args, params):
    # The default impl, compiling the primitive alone and running it, belongs to the
    # dispatch interpreter a layer up: importing it installs it with set_default_impl.
    raise NotImplementedError(f"no impl rule for {prim.name!r}, and glassbox.interpreters."
                              f"dispatch, which installs the default one, is not imported")


def set_default_impl(apply_primitive):
    """Install ``apply_primitive(prim, args, params)``: how ``EvalTrace`` runs a primitive
    with no ``impl_rules`` entry (``dispatch.apply_primitive`` does, at import)."""
    global _apply_primitive
    _apply_primitive = apply_primitive


eval_trace = EvalTrace()
_current = eval_trace


def current_trace():
    return _current


def find_top_trace(_args=None):
    """The current trace (JAX's ``find_top_trace``: with context-based tracing the
    arguments no longer decide it)."""
    return _current


class OpaqueTraceState:
    """Which trace was current when it was taken (``get_opaque_trace_state``): equal to
    another state of the same live trace, to nothing once that trace is gone. Flax
    compares these to refuse updating a module from inside a transform it was not
    created in."""

    __slots__ = ("_trace_ref",)

    def __init__(self, trace_ref):
        self._trace_ref = trace_ref

    def __eq__(self, other):
        return isinstance(other, OpaqueTraceState) and self._trace_ref == other._trace_ref

    def __hash__(self):
        return hash(self._trace_ref)


def get_opaque_trace_state(convention=None):
    """An ``OpaqueTraceState`` of the current trace (``convention`` is ignored, as JAX
    ignores it: "flax" and "nnx" pass their name)."""
    del convention
    return OpaqueTraceState(weakref.ref(_current))


@contextlib.contextmanager
def set_current_trace(trace):
    global _current
    saved = _current
    _current = trace
    # jaxlib's C++ jit fast path must not replay a call made while tracing.
    switched = (saved is eval_trace) is not (trace is eval_trace)
    if switched:
        runtime.set_tracing(trace is not eval_trace)
    try:
        yield trace
    finally:
        _current = saved
        if switched:
            runtime.set_tracing(saved is not eval_trace)


from .array_methods import ArrayMethods  # noqa: E402  (needs nothing from below)


class Array(ArrayMethods):
    """``glassbox.Array``: the type of every array value, concrete or traced.

    Concrete arrays are ``ArrayImpl`` (a device buffer); values being traced by
    a transform are ``Tracer``\\ s. Both are ``Array``, so ``isinstance(x, Array)``
    and ``x: glassbox.Array`` annotations work inside and outside transforms.
    """

    __slots__ = ()


# The class is jaxlib's C++ ``Array`` base (``ArrayImpl`` derives from it) with the
# methods above installed: see ``runtime.install_methods``.
Array = runtime.install_methods(runtime.ARRAY_BASE, Array)
Array.__module__ = "glassbox"


class Tracer(Array):
    """A value being traced by ``_trace``. Behaves like an array; never holds a buffer."""

    __slots__ = ("_trace",)
    __array_priority__ = 1000

    aval = property(lambda self: self.get_aval())

    def get_aval(self):
        raise NotImplementedError

    def to_concrete_value(self):
        """The concrete value, if this tracer knows one (jvp/batch tracers may), else None."""
        return None

    def _concrete(self, error):
        """The concrete value, or ``error(self)`` raised: conversions need a known value."""
        value = self.to_concrete_value()
        if value is None:
            raise error(self)
        return value

    def __bool__(self):
        return bool(self._concrete(TracerBoolConversionError))

    def __int__(self):
        return int(self._concrete(TracerIntegerConversionError))

    def __index__(self):
        return int(self._concrete(TracerIntegerConversionError))

    def __float__(self):
        return float(self._concrete(ConcretizationTypeError))

    def __complex__(self):
        return complex(self._concrete(ConcretizationTypeError))

    def __array__(self, dtype=None, copy=None):
        value = self.to_concrete_value()
        if value is None:
            raise TracerArrayConversionError(self)
        return np.asarray(value, dtype=dtype)

    def __hash__(self):
        raise TypeError("glassbox arrays are unhashable (as in JAX)")

    def __repr__(self):
        return f"Traced<{self.aval.str_short()}>with<{type(self._trace).__name__}>"

    def item(self):
        return self.__array__().item()

    def tolist(self):
        return self.__array__().tolist()


def check_tracer_alive(tracer, trace=None):
    """Raise ``UnexpectedTracerError`` if ``tracer`` outlived its transform.

    Traces treat tracers of other traces as constants, so a leaked tracer reaches
    either a ``JaxprTrace`` (as a constant) or the device (``device_put``): both call this.
    """
    owner = tracer._trace
    if owner is not trace and owner.finished:
        transform, created = _leak_origin(tracer)
        raise UnexpectedTracerError(tracer.aval, type(tracer).__name__, transform, created)


# Which transform each trace type belongs to, for leak messages (jaxpr traces read their
# equations' name stacks instead).
_TRANSFORM_OF_TRACE = {"JVPTrace": "jvp (grad, jvp, jacfwd)",
                       "LinearizeTrace": "linearize (grad, vjp, jacrev)",
                       "BatchTrace": "vmap"}


def _leak_origin(tracer):
    """``(transform, "file:line" or None)``: who made ``tracer`` and, if known, where."""
    trace = tracer._trace
    label = getattr(trace, "label", None)
    transform = label() if callable(label) else _TRANSFORM_OF_TRACE.get(type(trace).__name__)
    name = getattr(trace, "name", "") or "a function"
    transform = transform or f"tracing {name} (jit, make_jaxpr or a control-flow body)"
    var = getattr(tracer, "var", None)
    for eqn in getattr(trace, "eqns", ()):
        info = eqn.source_info
        if info is not None and any(v is var for v in eqn.outvars):
            jits = [n for n in info.name_stack if n.startswith("jit(")]
            return (jits[-1] if jits else transform), f"{info.file}:{info.line}"
    return transform, None


# Primitives run for their effect, not (only) their outputs: host callbacks (io_callback,
# debug.callback, debug.print). glassbox has no effect types: an equation of these (or
# holding one in a nested jaxpr) is simply never pruned, as JAX keeps effectful ones.
effectful_primitives = set()


def has_effects(jaxpr):
    """Does ``jaxpr`` (or a jaxpr nested in it) hold an equation of an effectful
    primitive?"""
    return any(_eqn_has_effects(eqn) for eqn in jaxpr.eqns)


def _eqn_has_effects(eqn):
    return eqn.primitive in effectful_primitives or any(map(has_effects, subjaxprs(eqn)))


def dce_jaxpr(jaxpr, used_outputs):
    """Drop equations not needed for the outputs marked in ``used_outputs`` (equations with
    effects stay: see ``effectful_primitives``).

    Returns ``(new_jaxpr, used_inputs)``: the new jaxpr takes only the used inputs.
    """
    live = {v for v, used in zip(jaxpr.outvars, used_outputs) if used and type(v) is Var}
    kept = []
    effects = bool(effectful_primitives)
    for eqn in reversed(jaxpr.eqns):
        if any(v in live for v in eqn.outvars) or (effects and _eqn_has_effects(eqn)):
            kept.append(eqn)
            live.update(v for v in eqn.invars if type(v) is Var)
    used_inputs = [v in live for v in jaxpr.invars]
    new = Jaxpr(jaxpr.constvars, [v for v, u in zip(jaxpr.invars, used_inputs) if u],
                [v for v, used in zip(jaxpr.outvars, used_outputs) if used],
                list(reversed(kept)), jaxpr.name)
    return new, used_inputs


def hoist_consts(closed):
    """``(jaxpr taking its consts as leading inputs, the consts)``: how call primitives
    pass a body's closed-over values (which may be tracers) as operands."""
    j = closed.jaxpr
    hoisted = Jaxpr([], j.constvars + j.invars, j.outvars, j.eqns, j.name, j.arg_names)
    return ClosedJaxpr(hoisted, []), list(closed.consts)


def host_consts(closed):
    """``closed`` itself, after checking that no const is a tracer: a transformed body
    keeps only host values (arrays, scalars) as consts, so it lowers and caches alone."""
    if any(isinstance(c, Tracer) for c in closed.consts):
        raise AssertionError("internal error: a transformed body closed over a traced value")
    return closed


# ---------------------------------------------------------------------------
# JAX's names for the IR and trace state (``glassbox.extend.core`` re-exports them)


class Effect:
    """The base class of JAX's effect types. glassbox tracks no effect types (see
    ``effectful_primitives``); the class exists for code that subclasses it."""


Effects = set
no_effects = frozenset()


def mapped_aval(size, axis, aval):
    """``aval`` without its mapped axis ``axis`` (of length ``size``); None: unmapped."""
    if axis is None or isinstance(aval, AbstractToken):
        return aval
    if not isinstance(aval, ShapedArray):
        raise TypeError(f"no mapping handler for {aval} of type {type(aval).__name__}")
    if aval.shape[axis] != size:
        raise ValueError(f"mapped_aval: axis {axis} of {aval.str_short()} has length "
                         f"{aval.shape[axis]}, not {size}")
    return aval.update(shape=aval.shape[:axis] + aval.shape[axis + 1:])


def unmapped_aval(size, axis, aval, explicit_mesh_axis=None):
    """``aval`` with a new axis of length ``size`` at ``axis``; None: left as is."""
    del explicit_mesh_axis   # (a mesh axis for the new dimension: not part of the type here)
    if axis is None or isinstance(aval, AbstractToken):
        return aval
    if type(axis) is not int:
        raise TypeError(f"unmapped_aval: axis must be an int or None, got {axis!r}")
    if not isinstance(aval, ShapedArray):
        raise TypeError(f"no unmapping handler for {aval} of type {type(aval).__name__}")
    return aval.update(shape=aval.shape[:axis] + (size,) + aval.shape[axis:])


def concrete_or_error(force, val, context=""):
    """``force(val)`` (identity for None), where ``val`` must have a known value: a tracer
    without one raises ``ConcretizationTypeError`` mentioning ``context``."""
    force = (lambda x: x) if force is None else force
    if isinstance(val, Tracer):
        value = val.to_concrete_value()
        if value is None:
            raise (ConcretizationTypeError(val, context) if context
                   else ConcretizationTypeError(val))
        return force(value)
    return force(val)


def valid_jaxtype(x):
    """Whether ``x`` is a value glassbox can trace (has an aval)."""
    try:
        get_aval(x)
    except TypeError:
        return False
    return True
