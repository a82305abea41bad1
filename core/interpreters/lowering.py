"""Lowering jaxprs to StableHLO text.

``lower_jaxpr`` walks a jaxpr and writes an MLIR module in StableHLO's
*generic* syntax (``%2 = "stablehlo.add"(%0, %1) : (...) -> ...``), which every
op accepts the same way. CHLO ops (``chlo.erf_inv``, ``chlo.tan``...) are
allowed: XLA expands them exactly as it does for JAX, so numbers match.

A lowering rule has the signature ``rule(ctx, *operands, **params)`` where
operands are SSA value names (strings), ``ctx.avals_in``/``ctx.avals_out``
are the equation's avals, and it returns one SSA name (or a list, for
multiple-result primitives). Rules emit ops with ``ctx.op(...)``.
"""
import collections
import re

import numpy as np

from ..core import Literal, abstract_token

lowering_rules = {}   # prim -> rule(ctx, *operands, **params)

_MLIR_DTYPE = {
    "bool": "i1", "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
    "uint8": "ui8", "uint16": "ui16", "uint32": "ui32", "uint64": "ui64",
    "float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
    "complex64": "complex<f32>", "complex128": "complex<f64>",
    # ml_dtypes' narrow types (int1/uint1 are left out: XLA gives them bool's i1)
    "int2": "i2", "int4": "i4", "uint2": "ui2", "uint4": "ui4",
    "float8_e4m3fn": "f8E4M3FN", "float8_e5m2": "f8E5M2", "float8_e4m3fnuz": "f8E4M3FNUZ",
    "float8_e5m2fnuz": "f8E5M2FNUZ", "float8_e4m3b11fnuz": "f8E4M3B11FNUZ",
    "float8_e3m4": "f8E3M4", "float8_e4m3": "f8E4M3", "float8_e8m0fnu": "f8E8M0FNU",
    "float4_e2m1fn": "f4E2M1FN", "float6_e2m3fn": "f6E2M3FN", "float6_e3m2fn": "f6E3M2FN",
}


def mlir_dtype(dtype):
    return _MLIR_DTYPE[np.dtype(dtype).name]


_TENSOR_TYPES = {}   # (shape, dtype) -> "tensor<...>": a lowering asks for the same few often


def tensor_type(aval):
    if aval is abstract_token:
        return "!stablehlo.token"
    key = (aval.shape, aval.dtype)
    text = _TENSOR_TYPES.get(key)
    if text is None:
        dims = "".join(f"{d}x" for d in aval.shape)
        text = f"tensor<{dims}{mlir_dtype(aval.dtype)}>"
        if len(_TENSOR_TYPES) < 4096:
            _TENSOR_TYPES[key] = text
    return text


def i64_array(values):
    """``array<i64: 0, 1>``: the attribute form of a list of ints."""
    values = [int(v) for v in values]
    return "array<i64" + (": " + ", ".join(map(str, values)) if values else "") + ">"


def dense_attr(value, aval):
    """A ``dense<...> : tensor<...>`` attribute holding ``value`` (any dtype, nan/inf safe)."""
    value = np.asarray(value, dtype=aval.dtype)
    ttype = tensor_type(aval)
    if value.dtype == np.bool_:
        flat = value.ravel()
        if flat.size and (flat == flat[0]).all():
            return f"dense<{'true' if flat[0] else 'false'}> : {ttype}"
        body = ", ".join("true" if b else "false" for b in flat)
        return f"dense<{_nest(body, value.shape) if value.ndim else body}> : {ttype}"
    flat = value.ravel()
    if flat.size and (flat.view(np.uint8).reshape(flat.size, -1) ==
                      flat[:1].view(np.uint8)).all():
        flat = flat[:1]   # a splat: one element's bytes stand for all
    raw = np.ascontiguousarray(flat).astype(flat.dtype.newbyteorder("<")).tobytes()
    return f'dense<"0x{raw.hex().upper()}"> : {ttype}'


def _nest(body, shape):
    # Only reached for non-splat bools of rank >= 1: rebuild nested brackets.
    items = body.split(", ")
    def build(dims, it):
        if not dims:
            return next(it)
        return "[" + ", ".join(build(dims[1:], it) for _ in range(dims[0])) + "]"
    return build(list(shape), iter(items))


class FunctionBuilder:
    """Collects the lines of one ``func.func``; hands out SSA names."""

    def __init__(self, module):
        self.module = module
        self.lines = []
        self.counter = 0
        self.types = {}   # SSA name -> tensor type
        self.effect_token = None   # the token ordering this body's ordered callbacks

    def fresh(self):
        self.counter += 1
        return f"%{self.counter - 1}"


class ModuleBuilder:
    """A StableHLO module: ``main`` plus private functions for nested jit calls."""

    def __init__(self, name, mesh=None):
        self.name = name
        self.mesh = mesh          # partitioned over this mesh's devices (Shardy), or None
        self.functions = []       # text of each func.func
        self.lowered_subs = {}    # id(jaxpr) -> function name
        self.func_names = set()
        self.host_callbacks = []  # Python functions the program calls (by index)

    def add_host_callback(self, callback):
        """The index by which the module's custom calls name ``callback``."""
        self.host_callbacks.append(callback)
        return len(self.host_callbacks) - 1

    def unique_name(self, base):
        # Any Python name will do (``σ``, ``<lambda>``): ``symbol`` quotes it.
        base = base or "f"
        name, i = base, 0
        while name in self.func_names:
            i += 1
            name = f"{base}_{i}"
        self.func_names.add(name)
        return name

    def text(self):
        body = "\n".join(self.functions)
        partitions, mesh = (self.mesh.size, f"  {self.mesh.sdy_declaration()}\n") \
            if self.mesh is not None else (1, "")
        text = (f"module @{symbol(self.name)} attributes {{mhlo.num_partitions = "
                f"{partitions} : i32, mhlo.num_replicas = 1 : i32}} {{\n{mesh}{body}\n}}\n")
        return ModuleText(text, self.host_callbacks) if self.host_callbacks else text


class ModuleText(str):
    """The text of a module that calls Python back, carrying those functions
    (``host_callbacks``, by index) to ``runtime.compile``, which hands them to XLA."""

    def __new__(cls, text, host_callbacks):
        self = super().__new__(cls, text)
        self.host_callbacks = tuple(host_callbacks)
        return self


class RuleContext:
    """What a lowering rule sees: the equation's avals and a way to emit ops."""

    def __init__(self, fb, avals_in, avals_out, indent="    "):
        self.fb = fb
        self.avals_in = avals_in
        self.avals_out = avals_out
        self.indent = indent

    @property
    def module(self):
        return self.fb.module

    def op(self, name, operands, result_avals=None, attrs=None, regions=(), n_results=None):
        """Emit ``name(operands) {attrs}`` and return its result name(s).

        ``result_avals`` defaults to the equation's output avals. Returns a
        single name when one result is given as a single aval (not a list).
        """
        if result_avals is None:
            result_avals, as_list = self.avals_out, len(self.avals_out) != 1
        elif isinstance(result_avals, (list, tuple)):
            as_list = True
        else:
            result_avals, as_list = [result_avals], False
        fb = self.fb
        types = fb.types
        res = fb.fresh()
        n = len(result_avals)
        lhs = f"{res}:{n} = " if n > 1 else (f"{res} = " if n == 1 else "")
        in_types = ", ".join([types[o] for o in operands])
        out_list = [tensor_type(a) for a in result_avals]
        attr = ""
        if attrs:
            attr = " {" + ", ".join([f"{k} = {v}" for k, v in attrs.items()]) + "}"
        region_text = ""
        if regions:
            region_text = " (" + ", ".join(regions) + ")"
        fb.lines.append(
            f'{self.indent}{lhs}"{name}"({", ".join(operands)}){region_text}{attr} : '
            f"({in_types}) -> ({', '.join(out_list)})")
        if n == 1:
            types[res] = types[f"{res}#0"] = out_list[0]
            return [res] if as_list else res
        names = [f"{res}#{i}" for i in range(n)]
        types.update(zip(names, out_list))
        return names if as_list else names[0]

    def _record_types(self, res, avals):
        types = self.fb.types
        if len(avals) == 1:
            types[res] = tensor_type(avals[0])
        for i, a in enumerate(avals):
            types[f"{res}#{i}"] = tensor_type(a)

    def constant(self, value, aval):
        """A ``stablehlo.constant`` holding ``value`` with type ``aval``."""
        res = self.fb.fresh()
        self.fb.lines.append(f'{self.indent}{res} = "stablehlo.constant"() '
                             f"{{value = {dense_attr(value, aval)}}} : () -> {tensor_type(aval)}")
        self._record_types(res, [aval])
        return res

    def region(self, arg_avals, body):
        """Text of a region ``{ ^bb0(args): body; return }``; ``body(ctx, *args) -> results``."""
        fb = self.fb
        inner = RuleContext(fb, arg_avals, [], self.indent + "    ")
        args = []
        for aval in arg_avals:
            name = fb.fresh().replace("%", "%arg_r")
            args.append(name)
            inner._record_types(name, [aval])
        saved, fb.lines = fb.lines, []
        token, fb.effect_token = fb.effect_token, None   # a region's own values stay inside
        results = body(inner, *args)
        results = list(results) if isinstance(results, (list, tuple)) else [results]
        types = ", ".join(fb.types[r] for r in results)
        fb.lines.append(f'{inner.indent}"stablehlo.return"({", ".join(results)}) : ({types}) -> ()')
        body_lines, fb.lines = fb.lines, saved
        fb.effect_token = token
        header = ", ".join(f"{a}: {tensor_type(v)}" for a, v in zip(args, arg_avals))
        return ("{\n" + f"{self.indent}  ^bb0({header}):\n" + "\n".join(body_lines)
                + f"\n{self.indent}}}")

    def lower_jaxpr(self, jaxpr, consts, args):
        """Inline ``jaxpr`` here (used for region bodies and control flow)."""
        return _emit_eqns(self.fb, jaxpr, consts, args, self.indent)

    def call(self, closed, args, name):
        """Lower ``closed`` as a private function (once per jaxpr) and call it."""
        fname = _lower_function(self.module, closed, name, private=True)
        return self.op("func.call", args, list(closed.out_avals),
                       attrs={"callee": f"@{symbol(fname)}"}) if closed.out_avals else []

    def convert(self, x, aval_to):
        return self.op("stablehlo.convert", [x], aval_to)


def _emit_eqns(fb, jaxpr, consts, args, indent, on_eqn=None):
    env = {}
    ctx0 = RuleContext(fb, [], [], indent)
    for v, c in zip(jaxpr.constvars, consts):
        env[v] = c if isinstance(c, str) else ctx0.constant(np.asarray(c), v.aval)
    for v, a in zip(jaxpr.invars, args):
        env[v] = a

    def read(atom):
        if type(atom) is Literal:
            return ctx0.constant(atom.val, atom.aval)
        return env[atom]
    rules = lowering_rules
    for eqn in jaxpr.eqns:
        prim = eqn.primitive
        rule = rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"lowering rule for primitive '{prim.name}' "
                                      f"is not defined")
        invars, outvars = eqn.invars, eqn.outvars
        ctx = RuleContext(fb, [v.aval for v in invars], [v.aval for v in outvars], indent)
        operands = [env[v] if type(v) is not Literal else read(v) for v in invars]
        start = len(fb.lines)
        outs = rule(ctx, *operands, **eqn.params)
        if fb.module.mesh is not None:
            outs = _pin_typed_shardings(ctx, outvars, outs, prim.multiple_results)
        if on_eqn is not None:
            on_eqn(eqn, fb.lines[start:])
        if prim.multiple_results:
            env.update(zip(outvars, outs))
        else:
            env[outvars[0]] = outs
    return [read(v) for v in jaxpr.outvars]


def _pin_typed_shardings(ctx, outvars, outs, multiple):
    """In a partitioned module, a result whose type carries a sharding (Explicit mesh
    axes) is pinned to it with ``sdy.sharding_constraint``, as JAX lowers it."""
    results = list(outs) if multiple else [outs]
    for i, v in enumerate(outvars):
        sharding = getattr(v.aval, "sharding", None)
        if sharding is not None:
            results[i] = ctx.op("sdy.sharding_constraint", [results[i]], v.aval,
                                attrs={"sharding": sharding.sdy_text(len(v.aval.shape))})
    return results if multiple else results[0]


def _lower_function(module, closed, name, private, on_eqn=None, arg_attrs=None,
                    result_attrs=None):
    key = id(closed.jaxpr)
    if key in module.lowered_subs:
        return module.lowered_subs[key]
    fname = "main" if not private else module.unique_name(name)
    module.func_names.add(fname)
    module.lowered_subs[key] = fname
    fb = FunctionBuilder(module)
    jaxpr = closed.jaxpr
    args = []
    for i, v in enumerate(jaxpr.invars):
        args.append(f"%arg{i}")
        fb.types[f"%arg{i}"] = tensor_type(v.aval)
    outs = _emit_eqns(fb, jaxpr, closed.consts, args, "    ", on_eqn)
    out_types = ", ".join(tensor_type(v.aval) for v in jaxpr.outvars)
    result_types = out_types if not result_attrs else ", ".join(
        tensor_type(v.aval) + (f" {{{at}}}" if at else "")
        for v, at in zip(jaxpr.outvars, result_attrs))
    fb.lines.append(f'    "func.return"({", ".join(outs)}) : ({out_types}) -> ()')
    visibility = "private" if private else "public"
    attrs = arg_attrs or [None] * len(args)
    params = ", ".join(f"{a}: {fb.types[a]}" + (f" {{{at}}}" if at else "")
                       for a, at in zip(args, attrs))
    text = (f"  func.func {visibility} @{symbol(fname)}({params}) -> ({result_types}) {{\n"
            + "\n".join(fb.lines) + "\n  }")
    module.functions.append(text)
    return fname


def lower_jaxpr(closed, name="main", on_eqn=None, arg_attrs=None, result_attrs=None,
                mesh=None):
    """StableHLO text for a ClosedJaxpr whose consts are host values (arrays, scalars).

    The module's ``main`` takes the jaxpr's invars and returns its outvars.
    ``on_eqn(eqn, emitted)``, if given, is called for each equation of ``main`` with
    the op texts its rule emitted (each may span lines): how a view links StableHLO
    lines back to equations and their source lines. ``arg_attrs``, if given, holds
    one attribute text (or None) per input of ``main`` (``donation_attrs`` makes them),
    ``result_attrs`` the same per output. With a ``mesh`` the module is partitioned
    over its devices: it declares the mesh for Shardy and as many partitions.
    """
    module = ModuleBuilder(_module_name(name), mesh)
    _lower_function(module, closed, "main", private=False, on_eqn=on_eqn, arg_attrs=arg_attrs,
                    result_attrs=result_attrs)
    return module.text()


def donation_attrs(in_avals, out_avals, donated):
    """The argument attributes marking donated inputs of ``main``, as JAX's lowering does.

    Returns ``(attrs, unusable)``: per input, ``tf.aliasing_output = N : i32`` when it
    is aliased to output N (the first unclaimed output of the same shape and dtype,
    outputs taken in order), else ``jax.buffer_donor = true`` when some unclaimed output
    has as many elements (XLA may reuse the memory), else None; ``unusable`` lists the
    donated inputs that got neither (JAX warns about those and does not delete them).
    """
    attrs = [None] * len(in_avals)
    waiting = collections.defaultdict(collections.deque)   # (shape, dtype) -> donated inputs
    for i, (aval, d) in enumerate(zip(in_avals, donated)):
        if d:
            waiting[(aval.shape, aval.dtype)].append(i)
    unmatched_outs = collections.defaultdict(int)           # size -> outputs not aliased
    for j, aval in enumerate(out_avals):
        queue = waiting.get((aval.shape, aval.dtype))
        if queue:
            attrs[queue.popleft()] = f"tf.aliasing_output = {j} : i32"
        else:
            unmatched_outs[aval.size] += 1
    unusable = []
    for i, (aval, d) in enumerate(zip(in_avals, donated)):
        if not d or attrs[i] is not None:
            continue
        if unmatched_outs[aval.size]:
            unmatched_outs[aval.size] -= 1
            attrs[i] = "jax.buffer_donor = true"
        else:
            unusable.append(aval)
    return attrs, unusable


def _module_name(name):
    """JAX's module name for ``name``: non-word characters become ``_``, trailing ones go."""
    return _NOT_MODULE_CHAR.sub("_", name).rstrip("_") or "module"


_NOT_MODULE_CHAR = re.compile(r"[^\w.-]")
_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*\Z")


def symbol(name):
    """``name`` as an MLIR symbol: bare if it is a bare identifier, else quoted.

    Python names need not be MLIR identifiers (``σ``, ``<lambda>``, a name made
    with ``setattr`` starting with a digit). Quoted, bytes outside printable
    ASCII are escaped as ``\\XX``, as MLIR prints them (and JAX shows them).
    """
    if _BARE_ID.match(name):
        return name
    escaped = "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:02X}"
                      for b in name.encode("utf-8"))
    return f'"{escaped}"'


# ---------------------------------------------------------------------------
# Registrar helpers for the common rule shapes


def simple_lowering(op_name, **fixed_attrs):
    """A rule emitting one op named ``op_name`` over all operands, with fixed attributes."""
    def rule(ctx, *args, **params):
        return ctx.op(op_name, list(args), attrs=fixed_attrs or None)
    rule.__name__ = f"lower_{op_name.split('.')[-1]}"
    return rule
