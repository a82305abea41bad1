"""JAX's ``jax.interpreters.mlir`` on glassbox: how a primitive defined outside glassbox
gets a lowering.

Code written for JAX registers lowerings with ``register_lowering(prim, rule)``. The
usual rule is ``lower_fun(impl, multiple_results)``: "lower ``prim`` as the program
``impl`` computes". That works here as in JAX: at lowering time ``impl`` is traced on
the equation's input avals (with its params as keyword arguments) and the jaxpr it
gives is emitted inline through glassbox's own StableHLO lowering
(``lowering.lowering_rules``), so the primitive's equation lowers to the ops of the
operations ``impl`` is written with.

A rule written with JAX's MLIR Python bindings (``hlo.add(...)``, ``ir.RankedTensorType``,
``ctx.module_context``) cannot run: glassbox writes StableHLO as text. Registering one
succeeds (libraries register such rules when imported: equinox's ``noinline`` does)
but lowering the primitive then raises ``NotImplementedError`` naming it and pointing
at ``lower_fun``; a built-in primitive's own lowering is never replaced by one.
``emit_python_callback`` is not provided (host callbacks: ``glassbox.pure_callback``).

glassbox's own primitives register text rules directly (``lowering_rules[p] = rule``,
README "Adding a primitive"); this module is for code written against JAX.
"""
from .. import runtime
from .lowering import lowering_rules
from .tracing import trace_to_jaxpr

# prim -> {platform or None: rule}: what register_lowering was given, per platform
_lowerings = {}

# The platforms JAX names: a rule registered for one of them applies where glassbox's
# client is of that platform ("gpu" stands for both of JAX's GPU platforms).
_PLATFORM_ALIASES = {"gpu": ("cuda", "rocm", "gpu")}


class _LoweredFun:
    """What ``lower_fun`` returns: a lowering rule that emits ``fun`` traced on the
    operands' avals. Called as a glassbox rule, it returns the list of result names."""

    def __init__(self, fun, multiple_results):
        self.fun = fun
        self.multiple_results = multiple_results
        self.__name__ = f"lower_fun({getattr(fun, '__name__', 'fun')})"

    def __call__(self, ctx, *operands, **params):
        fun, multiple = self.fun, self.multiple_results

        def traced(*args):
            out = fun(*args, **params)
            return list(out) if multiple else [out]
        closed = trace_to_jaxpr(traced, list(ctx.avals_in), getattr(fun, "__name__", ""))
        got, want = closed.out_avals, list(ctx.avals_out)
        if len(got) != len(want) or any(g.shape != w.shape or g.dtype != w.dtype
                                         for g, w in zip(got, want)):
            raise TypeError(
                f"{self.__name__}: the function returns "
                f"[{', '.join(a.str_short() for a in got)}] but the primitive's abstract "
                f"eval rule says [{', '.join(a.str_short() for a in want)}]")
        return ctx.lower_jaxpr(closed.jaxpr, closed.consts, list(operands))


def lower_fun(fun, multiple_results=True):
    """A lowering rule that lowers a primitive as the program ``fun`` computes.

    ``fun(*operands, **params)`` is written with glassbox (``jax.numpy``, ``lax``)
    operations and returns the primitive's outputs: a sequence of them when
    ``multiple_results``, else one value. Register the rule with ``register_lowering``.

    Example::

        mlir.register_lowering(cube_p, mlir.lower_fun(lambda x: x * x * x,
                                                      multiple_results=False))
    """
    return _LoweredFun(fun, multiple_results)


def register_lowering(prim, rule, platform=None, inline=True, cacheable=True):
    """Lower ``prim`` with ``rule``; on ``platform`` only ("cpu", "cuda", "rocm", "tpu",
    or "gpu" for both GPU platforms) if given, where it takes precedence over a rule
    registered for every platform. ``inline`` and ``cacheable`` are accepted for JAX's
    signature (a ``lower_fun`` rule is always emitted inline; lowerings are cached with
    the compiled program).

    ``rule`` must come from ``lower_fun``: any other function is taken to be written with
    JAX's MLIR bindings, and lowering ``prim`` with it raises ``NotImplementedError``
    (registering it does not, so libraries that register one when imported still
    import); it never replaces a built-in primitive's own lowering.
    """
    del inline, cacheable
    if platform is not None and platform not in _KNOWN_PLATFORMS:
        raise NotImplementedError(
            f"Registering an MLIR lowering rule for primitive {prim} for an unknown "
            f"platform {platform}. Known platforms are: {', '.join(sorted(_KNOWN_PLATFORMS))}.")
    by_platform = _lowerings.setdefault(prim, {})
    if not isinstance(rule, _LoweredFun):
        rule = _bindings_rule(prim, rule)
        if prim in lowering_rules and prim not in _installed:
            by_platform[platform] = rule   # on record only: the built-in rule stays
            return
    by_platform[platform] = rule
    lowering_rules[prim] = _installed[prim] = _dispatcher(prim)


_KNOWN_PLATFORMS = {"cpu", "cuda", "rocm", "tpu", "gpu"}
_installed = {}   # prim -> the rule this module put in lowering_rules


def _dispatcher(prim):
    """The glassbox lowering rule of ``prim``: the rule registered for the platform being
    compiled for, else the one for every platform, its results shaped as ``prim``
    returns them (one name, or a list for multiple results)."""
    by_platform = _lowerings[prim]

    def rule(ctx, *operands, **params):
        chosen = by_platform.get(None)
        if len(by_platform) > (chosen is not None):
            here = runtime.platform()
            for name, r in by_platform.items():
                if name is not None and here in _PLATFORM_ALIASES.get(name, (name,)):
                    chosen = r
        if chosen is None:
            raise NotImplementedError(
                f"lowering rule for primitive '{prim.name}' is registered only for "
                f"{sorted(by_platform)}, not for this platform ({runtime.platform()})")
        outs = chosen(ctx, *operands, **params)
        return list(outs) if prim.multiple_results else outs[0]
    rule.__name__ = f"lower_{prim.name}"
    return rule


def _bindings_rule(prim, fn):
    def rule(ctx, *operands, **params):
        raise NotImplementedError(
            f"lowering rule for primitive '{prim.name}' was registered with "
            f"mlir.register_lowering as {getattr(fn, '__qualname__', fn)!r}, a function that "
            f"builds MLIR with JAX's Python bindings (hlo.*, ir.*). glassbox lowers to "
            f"StableHLO text and cannot run it: register "
            f"mlir.lower_fun(impl, multiple_results=...) instead, with impl computing "
            f"'{prim.name}' from jax.numpy/lax operations.")
    rule.bindings_rule = fn
    return rule
