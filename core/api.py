"""``jit``, ``make_jaxpr`` and the device-facing API (``device_put``, ``devices``...).

``jit(f)`` traces ``f`` once per input signature (pytree structure, avals with
weak types, static arguments) into a jaxpr, lowers it to StableHLO, compiles
it with XLA and caches the executable. Called under another transform, it
binds the ``jit`` primitive with the traced jaxpr instead, so transforms see
the jit call as one equation with a sub-jaxpr.
"""
import collections
import functools
import inspect
import operator
import time
import warnings
import weakref

import numpy as np

from . import distributed, events, runtime, source_info, traceback_util
from .array import ArrayImpl, device_put as _device_put
from .sharding import NamedSharding, PartitionSpec, Sharding, Spmd, common_mesh, resolve
from .call_primitives import compiled_call, is_compiled, jit_p, lowered_text
from .config import config
from .core import (ShapedArray, Tracer, abstract_token, check_tracer_alive, current_trace,
                   eval_trace, get_aval, hoist_consts, is_array_like)
from .interpreters import dispatch
from .interpreters.dispatch import device_of, mesh_in
from .interpreters.tracing import trace_to_jaxpr
from .tree_util import (broadcast_prefix, keystr, tree_flatten, tree_flatten_with_path,
                        tree_map, tree_unflatten)

# ---------------------------------------------------------------------------
# jit


class _Entry:
    """One cache entry of a jitted function: its trace and (once run) its executable.

    ``closed`` is the traced jaxpr with its closed-over values; ``jaxpr`` and
    ``consts`` are the same with the values hoisted to leading inputs, as the ``jit``
    equation takes them under a transform. The executable lives on ``closed``
    (``call_primitives.compiled_call``); ``compiled`` is a shortcut to the one for
    the default device, for the fast path.
    """

    __slots__ = ("closed", "jaxpr", "consts", "out_tree", "compiled", "signature",
                 "consts_are_traced", "donated")

    def __init__(self, closed, out_tree, signature, donated=None):
        self.closed, self.out_tree, self.signature = closed, out_tree, signature
        self.donated = donated   # a flag per argument leaf, or None when none is donated
        self.jaxpr, self.consts = hoist_consts(closed)
        self.compiled = None
        self.consts_are_traced = any(isinstance(c, Tracer) for c in self.consts)


# ---------------------------------------------------------------------------
# The jit cache, shared by every ``jit(f)`` of the same function and options


# Entries kept per (function, options). The one least recently used from Python (traced,
# or called with the fast path off) goes first: C++ fast-path hits are not seen.
MAX_SIGNATURES = 512
# The C++ table (per function, and how many functions) is JAX's size; Python's own
# bound above still holds: evicting an entry clears the function's C++ signatures.
_FAST_CACHE = runtime.fast_cache(8192)


class _FunCache:
    """What every ``jit(fun, **options)`` wrapper of one function shares.

    As in JAX, the cache belongs to the function, not to the wrapper: ``jit(f)(x)``
    in a loop traces and compiles once, and a global that ``f`` reads is baked in
    at the first trace for every wrapper. Holds the resolved options and the entries
    (signature -> ``_Entry``, least recently used first); the C++ fast path keeps
    its own table, keyed on the function and the options too (``runtime.fast_jit``).
    Never holds ``fun``: it is the value of a weak-keyed dict whose key is ``fun``,
    so it dies with the function.
    """

    __slots__ = ("name", "signature", "static_argnums", "static_argnames", "donate_argnums",
                 "donate_argnames", "entries", "last_signature")

    def __init__(self, fun, options):
        static_argnums, static_argnames, donate_argnums, donate_argnames, name = options[:5]
        self.name = name or getattr(fun, "__name__", type(fun).__name__)
        self.signature = _signature(fun)
        (self.static_argnums, self.static_argnames, self.donate_argnums,
         self.donate_argnames) = _resolve_argnums(fun, self.signature, static_argnums,
                                                  static_argnames, donate_argnums,
                                                  donate_argnames)
        self.entries = collections.OrderedDict()
        self.last_signature = None

    def add(self, signature, entry):
        """Keep ``entry``; True when the least recently used one had to go for it."""
        self.entries[signature] = entry
        if len(self.entries) > MAX_SIGNATURES:
            self.entries.popitem(last=False)
            return True
        return False

    def clear(self):
        # In place: every wrapper of the function holds this dict.
        self.entries.clear()
        self.last_signature = None


_jit_caches = weakref.WeakKeyDictionary()   # fun -> {options: _FunCache}


def clear_caches():
    """Forget every trace and executable: each ``jit`` function's, the eager ops', and
    jaxlib's C++ dispatch tables (JAX's ``jax.clear_caches``). The next call retraces."""
    for per_fun in list(_jit_caches.values()):
        for cache in per_fun.values():
            cache.clear()
    dispatch.clear_caches()
    runtime.clear_fast_caches()


def _fun_cache(fun, options):
    """The cache shared by ``jit(fun, **options)`` wrappers (a private one if ``fun``
    cannot be a weak dict key: unhashable, or not weak-referenceable like builtins)."""
    try:
        per_fun = _jit_caches.get(fun)
        if per_fun is None:
            per_fun = _jit_caches[fun] = {}
        shared = per_fun.get(options)
    except TypeError:
        return _FunCache(fun, options)
    if shared is None:
        shared = per_fun[options] = _FunCache(fun, options)
    return shared


class Jitted:
    """A function compiled by ``jit``. Call it, or ``.lower(*args)`` / ``.trace(*args)``."""

    def __init__(self, fun, static_argnums=None, static_argnames=None, donate_argnums=None,
                 donate_argnames=None, keep_unused=False, device=None, backend=None,
                 inline=False, name=None, in_shardings=None, out_shardings=None):
        _check_callable(fun)
        _check_placement(device, backend)
        self.in_shardings, self.out_shardings = in_shardings, out_shardings
        # Every option is in the key, even those not acted on yet, so that acting on
        # them later cannot hand one wrapper another's executables.
        options = (_index_tuple(static_argnums), _str_tuple(static_argnames),
                   _index_tuple(donate_argnums), _str_tuple(donate_argnames), name,
                   keep_unused, device, backend, inline, _layout_key(in_shardings),
                   _layout_key(out_shardings))
        shared = _fun_cache(fun, options)
        self.fun = fun
        self._shared, self._cache = shared, shared.entries
        self.name, self.signature = shared.name, shared.signature
        self.static_argnums, self.static_argnames = shared.static_argnums, shared.static_argnames
        self.donate_argnums, self.donate_argnames = shared.donate_argnums, shared.donate_argnames
        self.keep_unused, self.device, self.backend, self.inline = (keep_unused, device,
                                                                    backend, inline)
        functools.update_wrapper(self, fun, updated=())  # never copy fun.__dict__ over ours
        self._dispatch = self._fast_dispatcher(options)

    # --- splitting the arguments
    def _split(self, args, kwargs):
        """``((dynamic args, dynamic kwargs), static)``; static is ((index or name, value), ...)."""
        if not self.static_argnums and not self.static_argnames:
            return (args, kwargs), ()
        n, static, dyn_args, dyn_kwargs = len(args), [], [], {}
        for i, a in enumerate(args):
            if i in self.static_argnums or i - n in self.static_argnums:
                static.append((i, _hashable_static(a)))
            else:
                dyn_args.append(a)
        for k, v in kwargs.items():
            if k in self.static_argnames:
                static.append((k, _hashable_static(v)))
            else:
                dyn_kwargs[k] = v
        return (tuple(dyn_args), dyn_kwargs), tuple(static)

    @staticmethod
    def _rebuild(static, dyn):
        dyn_args, kwargs = dyn
        kwargs = dict(kwargs)
        positional = {}
        for where, s in static:
            if isinstance(where, int):
                positional[where] = s.value
            else:
                kwargs[where] = s.value
        it = iter(dyn_args)
        args = [positional[i] if i in positional else next(it)
                for i in range(len(dyn_args) + len(positional))]
        return args, kwargs

    def _donated_leaves(self, args, kwargs):
        """A donation flag per argument leaf, in ``tree_flatten`` order (None: none donated).

        Positional arguments are donated by number (negative ones from the end), keyword
        arguments by name; ``_resolve_argnums`` filled in each from the other."""
        if not self.donate_argnums and not self.donate_argnames:
            return None
        n, static, donate = len(args), self.static_argnums, self.donate_argnums
        flags_args = tuple(tree_map(lambda _, d=(i in donate or i - n in donate): d, a)
                           for i, a in enumerate(args)
                           if not (i in static or i - n in static))
        flags_kwargs = {k: tree_map(lambda _, d=(k in self.donate_argnames): d, v)
                        for k, v in kwargs.items() if k not in self.static_argnames}
        flags = tuple(tree_flatten((flags_args, flags_kwargs))[0])
        return flags if any(flags) else None

    def _target_device(self):
        """The device ``device=``/``backend=`` asks for (None: where the arguments are).

        Checked at trace time, as JAX does: an unknown backend is JAX's RuntimeError."""
        if self.device is not None:
            if self.device not in runtime.devices():
                raise AttributeError(   # JAX's class: it looks up ``device.client``
                    f"jit({self.name}, device={self.device!r}): not a device (at "
                    f"{source_info.user_location()}); pass one of glassbox.devices()")
            return self.device
        if self.backend is not None:
            return runtime.devices(self.backend)[0]
        return None

    def _jit_params(self, entry):
        """The ``jit`` equation's parameters beyond ``jaxpr`` and ``name``: only those
        that differ from the defaults, so that jaxprs print as JAX's do."""
        params = {}
        target = self._target_device()
        if target is not None:
            params["device"] = target
        if entry.donated is not None:
            params["donated_invars"] = (False,) * len(entry.consts) + entry.donated
        if self.inline and target is None:   # JAX inlines only calls without placement
            params["inline"] = True
        if self.keep_unused:
            params["keep_unused"] = True
        return params

    # --- tracing
    def _trace(self, static, in_tree, avals):
        out_tree_box = []

        def flat_fun(*leaves):
            args, kwargs = self._rebuild(static, tree_unflatten(in_tree, leaves))
            with source_info.extend_name_stack(f"jit({self.name})"):
                out = self.fun(*args, **kwargs)
            out_leaves, out_tree = tree_flatten(out)
            for leaf in out_leaves:
                if not is_array_like(leaf):
                    raise TypeError(f"jit({self.name}) returned a {type(leaf).__name__} "
                                    f"({leaf!r}) as an output; outputs must be arrays or "
                                    f"scalars (pytrees of them)")
            out_tree_box.append(out_tree)
            return out_leaves
        closed = trace_to_jaxpr(flat_fun, avals, self.name)
        return closed, out_tree_box[0]

    def _entry(self, args, kwargs):
        dyn, static = self._split(args, kwargs)
        leaves, in_tree = tree_flatten(dyn)
        try:
            avals = tuple(get_aval(x) for x in leaves)
        except TypeError:
            raise _bad_argument(self.name, dyn) from None
        signature = (in_tree, avals, static, config.enable_x64)
        entry = self._cache.get(signature)
        if entry is not None:
            self._cache.move_to_end(signature)   # most recently used
        else:
            if self.device is not None or self.backend is not None:
                self._target_device()   # an unknown backend raises before tracing, as in JAX
            closed, out_tree = self._trace(static, in_tree, avals)
            entry = _Entry(closed, out_tree, signature, self._donated_leaves(args, kwargs))
            if not entry.consts_are_traced and self._shared.add(signature, entry):
                self._clear_fast_cache()   # C++ keeps no executable Python let go
        return entry, leaves

    def __call__(self, *args, **kwargs):
        try:   # free until an error escapes: then glassbox's frames are hidden from it
            return self._dispatch(*args, **kwargs)
        except Exception as err:
            traceback_util.filter_exception(err)
            raise

    # --- dispatch: jaxlib's C++ fast path, else Python
    def _fast_dispatcher(self, options):
        """jaxlib's C++ ``jit`` dispatch for this function, or ``_call_python`` when its
        options are ones the fast path cannot replay (donation, negative argnums).

        ``jit`` hands the user the C++ function itself (no Python frame per call); it
        answers everything else (``lower``, ``trace``, ``name``...) from this object."""
        if (self.donate_argnums or self.donate_argnames or self._asks_layouts()
                or any(i < 0 for i in self.static_argnums)):
            return self._call_python
        fast = runtime.fast_jit(self.name, self.fun, self._cache_miss, self.static_argnums,
                                self.static_argnames, options, _device_put, _FAST_CACHE)
        functools.update_wrapper(fast, self.fun, updated=())
        fast._jitted = self
        return fast

    def _cache_miss(self, *args, **kwargs):
        """The C++ fast path's callback: ``(outputs, fastpath data or None, False)``."""
        try:   # the user's call reached here through C++ only: this is the boundary
            out, fast = self._call(args, kwargs)
        except Exception as err:
            traceback_util.filter_exception(err)
            raise
        return out, fast, False

    def _call_python(self, *args, **kwargs):
        return self._call(args, kwargs)[0]

    def _call(self, args, kwargs):
        """``(outputs, fastpath data or None)``: trace/compile as needed, then run or bind."""
        if config.disable_jit:
            return self.fun(*args, **kwargs), None
        entry, leaves = self._entry(args, kwargs)
        if current_trace() is eval_trace and not any(isinstance(x, Tracer) for x in leaves):
            compiled, outs = self._run(entry, leaves)
            out = tree_unflatten(entry.out_tree, outs)
            return out, self._fastpath(entry, compiled, out, outs, len(leaves))
        outs = jit_p.bind(*entry.consts, *leaves, jaxpr=entry.jaxpr, name=self.name,
                          **self._jit_params(entry))
        return tree_unflatten(entry.out_tree, outs), None

    @staticmethod
    def _fastpath(entry, compiled, out, outs, n_args):
        """What lets C++ replay this call, or None when only Python can (views listening,
        debug_nans, several devices, or an output the C++ flattener does not know)."""
        if (events.listening or config.debug_nans or runtime._multi or compiled.device
                or entry.consts_are_traced or compiled.tokens):
            return None
        leaves, tree = runtime.pytree_registry.flatten(out)
        if len(leaves) != len(outs) or any(a is not b for a, b in zip(leaves, outs)):
            return None
        return runtime.fastpath_data(compiled.executable, outs, tree, n_args, compiled.kept,
                                     compiled.const_bufs)

    def _device_for(self, entry, leaves):
        """Where a call runs: ``device=``/``backend=``'s device; else, with several
        devices, partitioned over a mesh (``Spmd``) when layouts are asked for or an
        argument lies over several devices, or the first argument's device; None for
        the default device."""
        device = self._target_device()
        if device is None and runtime._multi:
            device = (self._spmd(entry, leaves) if self._asks_layouts()
                      else device_of(leaves, entry.closed))
        return None if device == runtime.default_device() else device

    def _asks_layouts(self):
        return self.in_shardings is not None or self.out_shardings is not None

    def _spmd(self, entry, leaves):
        """The placement of a call with ``in_shardings``/``out_shardings``: arguments laid
        out as asked (a committed argument laid out otherwise is JAX's ValueError)."""
        args, kwargs = tree_unflatten(entry.signature[0], leaves)
        ins = (_flat_layouts(self.in_shardings, tuple(args), "in_shardings")
               + [None] * len(tree_flatten(kwargs)[0]))
        outs = _flat_layouts(self.out_shardings, tree_unflatten(
            entry.out_tree, entry.jaxpr.out_avals), "out_shardings")
        own = [x.sharding for x in leaves
               if type(x) is ArrayImpl and runtime.is_multi_device(x)]
        named = mesh_in(entry.closed)
        own += [NamedSharding(named, PartitionSpec())] if named is not None else []
        mesh = common_mesh([s for s in ins + outs if s is not None] + own)
        replicated = NamedSharding(mesh, PartitionSpec())
        layouts = []
        for given, x in zip(ins, leaves):
            mine = (x.sharding if type(x) is ArrayImpl and runtime.is_multi_device(x)
                    else None)
            if given is not None and mine is not None and not given.is_equivalent_to(
                    mine, x.ndim):
                raise ValueError(
                    f"Sharding passed to jit does not match the sharding on the respective "
                    f"arg. Got jit sharding: {given},\narg sharding: {mine} for arg type: "
                    f"{x.aval.str_short()}")
            layouts.append(given or mine or replicated)
        return Spmd(mesh, layouts, outs if any(s is not None for s in outs) else ())

    def _compiled(self, entry, device, text=None):
        return compiled_call(entry.closed, self.name, device, text=text, donated=entry.donated,
                             keep_unused=self.keep_unused)

    def _run(self, entry, leaves):
        device = self._device_for(entry, leaves)
        if events.listening:
            self._emit_compile_event(entry, device)
        compiled = self._compiled(entry, device)
        if device is None:
            entry.compiled = compiled
        self._shared.last_signature = entry.signature
        if events.listening:
            start = time.perf_counter()
            outs = compiled.run(leaves)
            events.emit("executed", fun_name=self.name, seconds=time.perf_counter() - start)
            return compiled, outs
        return compiled, compiled.run(leaves)

    def _emit_compile_event(self, entry, device):
        """The ``compiled`` event of a call: a cache hit, or a compile and why it happened."""
        if is_compiled(entry.closed, device, entry.donated, self.keep_unused):
            events.emit("compiled", fun_name=self.name, seconds=0.0, cache_hit=True, reason=None,
                        from_disk=False)
            return
        reason = _why_recompiled(self._shared.last_signature, entry.signature)
        start = time.perf_counter()
        compiled = self._compiled(entry, device)
        events.emit("compiled", fun_name=self.name, seconds=time.perf_counter() - start,
                    cache_hit=False, reason=reason, from_disk=compiled.executable.from_disk)

    # --- ahead-of-time API
    def trace(self, *args, **kwargs):
        entry, leaves = self._entry(args, kwargs)
        return Traced(self, entry, self._device_for(entry, leaves))

    def lower(self, *args, **kwargs):
        return self.trace(*args, **kwargs).lower()

    def eval_shape(self, *args, **kwargs):
        entry, _ = self._entry(args, kwargs)
        return tree_unflatten(entry.out_tree, [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type)
                                               for a in entry.jaxpr.out_avals])

    def clear_cache(self):
        """Forget the traces and executables of this function (for every ``jit`` of it
        with the same options): the next call traces again."""
        self._shared.clear()
        self._clear_fast_cache()

    def _clear_fast_cache(self):
        # One wrapper's clear empties the table every wrapper of (fun, options) shares.
        if self._dispatch != self._call_python:
            self._dispatch._clear_cache()

    def _cache_size(self):
        return len(self._cache)

    def cache_entries(self):
        """``(signature, compiled?)`` for each cached input signature."""
        return [(_describe_signature(sig), e.compiled is not None)
                for sig, e in self._cache.items()]

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __repr__(self):
        return f"<jit({self.name}) with {len(self._cache)} cached signature(s)>"


traceback_util.register_boundary(Jitted.__call__.__code__)
traceback_util.register_boundary(Jitted._cache_miss.__code__)


class _FastJitted:
    """What the C++ jitted function (``runtime.FAST_JIT_TYPE``) answers besides calls:
    everything a ``Jitted`` has, from the ``Jitted`` it belongs to."""

    def __getattr__(self, name):
        if name == "_jitted":   # not set yet: the wrapper is being made
            raise AttributeError(name)
        return getattr(self._jitted, name)

    def __repr__(self):
        return repr(self._jitted)

    name = property(lambda self: self._jitted.name,   # the name events and views show
                    lambda self, value: setattr(self._jitted, "name", value))

    def _cache_size(self):   # the C++ type has its own: count what Python keeps, as Jitted
        return self._jitted._cache_size()


runtime.install_methods(runtime.FAST_JIT_TYPE, _FastJitted)
JITTED_TYPES = (Jitted, runtime.FAST_JIT_TYPE)   # what ``jit`` returns


class Traced:
    """A jitted function traced for particular arguments: ``.jaxpr``, ``.lower()``."""

    def __init__(self, jitted, entry, placement=None):
        self.jitted, self.entry, self.placement = jitted, entry, placement

    @property
    def jaxpr(self):
        return self.entry.jaxpr

    def lower(self):
        consts = self.entry.consts
        if any(isinstance(c, Tracer) for c in consts):
            raise TypeError("cannot lower a function that closes over traced values")
        # Lowered once per body and options (the "lowered" event comes from there).
        text = lowered_text(self.entry.closed, self.jitted.name, self.entry.donated,
                            self.jitted.keep_unused, self.placement)
        return Lowered(self.jitted, self.entry, text, self.placement)


class Lowered:
    """StableHLO for one signature: ``.as_text()``, ``.compile()``."""

    def __init__(self, jitted, entry, text, placement=None):
        self.jitted, self.entry, self._text, self.placement = jitted, entry, text, placement

    def as_text(self, dialect="stablehlo"):
        if dialect not in ("stablehlo", "mhlo"):
            raise ValueError(f"dialect must be 'stablehlo', got {dialect!r}")
        return self._text

    def compiler_ir(self, dialect="stablehlo"):
        """The module as an MLIR object ("stablehlo") or an XLA computation ("hlo")."""
        return runtime.compiler_ir(self._text, dialect)

    def compile(self):
        """Compile this StableHLO (reusing the text, not lowering again)."""
        entry = self.entry
        entry.compiled = self.jitted._compiled(entry, self.placement, self._text)
        return CompiledFunction(self.jitted, entry)

    def _repr_html_(self):
        import html
        return f"<pre>{html.escape(self._text)}</pre>"


class CompiledFunction:
    """An executable for one signature. Call it with arguments of that signature."""

    def __init__(self, jitted, entry):
        self.jitted, self.entry = jitted, entry

    def __call__(self, *args, **kwargs):
        entry, leaves = self.jitted._entry(args, kwargs)
        if entry is not self.entry and entry.signature != self.entry.signature:
            raise TypeError(f"compiled function for {_describe_signature(self.entry.signature)}"
                            f" called with {_describe_signature(entry.signature)}")
        return tree_unflatten(self.entry.out_tree, self.entry.compiled.run(leaves))

    def as_text(self):
        """Optimised HLO, as XLA compiled it."""
        return self.entry.compiled.executable.hlo_text()

    def cost_analysis(self):
        return self.entry.compiled.executable.cost_analysis()


class _Static:
    """A static argument in a cache key: compared and hashed by value."""

    __slots__ = ("value", "_hash")

    def __init__(self, value, h):
        self.value, self._hash = value, h

    def __eq__(self, other):
        return type(other) is _Static and type(self.value) is type(other.value) \
            and self.value == other.value

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return repr(self.value)


def _hashable_static(value):
    try:
        h = hash(value)
    except TypeError as err:   # JAX's message (its C++ dispatch's, as on the fast path)
        raise ValueError(
            f"Non-hashable static arguments are not supported. An error occurred while "
            f"trying to hash an object of type {type(value)}, {value!r}. The error was:\n"
            f"TypeError: {err}\n") from None
    return _Static(value, h)


def _signature(fun):
    try:
        return inspect.signature(fun)
    except (TypeError, ValueError):
        return None   # some builtins have none: their argnums are not checked, as in JAX


def _check_callable(fun):
    """JAX's checks on what ``jit`` accepts (its exception class and message)."""
    if isinstance(fun, staticmethod):
        raise TypeError(f"staticmethod arguments are not supported, got {fun}")
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r} of type "
                        f"{type(fun).__name__} (at {source_info.user_location()}): jit "
                        f"takes the function to compile")
    if inspect.isgeneratorfunction(fun):
        raise TypeError(f"Expected a function, got a generator function: {fun}")


def _is_layout(x):
    return x is None or isinstance(x, (Sharding, PartitionSpec))


def _flat_layouts(layouts, tree, what):
    """One ``Sharding`` (or None: unspecified) per leaf of ``tree``, from ``jit``'s
    ``in_shardings``/``out_shardings``: a pytree prefix of it, or one for all."""
    n = len(tree_flatten(tree)[0])
    if layouts is None:
        return [None] * n
    if _is_layout(layouts):
        flat = [layouts] * n
    else:
        prefix = tuple(layouts) if isinstance(layouts, list) and isinstance(tree, tuple) \
            else layouts
        flat = broadcast_prefix(prefix, tree, is_leaf=_is_layout)
    return [None if s is None else resolve(s, f"jit's {what}") for s in flat]


def _layout_key(layouts):
    """``in_shardings``/``out_shardings`` as part of a hashable cache key."""
    if layouts is None or _is_layout(layouts):
        return layouts
    leaves, tree = tree_flatten(layouts, is_leaf=_is_layout)
    return (tree, tuple(leaves))


def _check_placement(device, backend):
    if device is None and backend is None:
        return
    warnings.warn("backend and device argument on jit is deprecated. You can use "
                  "`jax.device_put(..., jax.local_devices(backend=\"cpu\")[0])` on the inputs "
                  "to the jitted function to get the same behavior.",
                  category=DeprecationWarning, stacklevel=4)
    if device is not None and backend is not None:
        raise ValueError(f"can't specify both a device and a backend for jit, "
                         f"got {device=} and {backend=}")


def _index_tuple(x):
    """``None``, or ``x`` (an int or ints) as a tuple of ints (TypeError otherwise)."""
    if x is None:
        return None
    try:
        return (operator.index(x),)
    except TypeError:
        return tuple(map(operator.index, x))


def _str_tuple(x):
    """``None``, or ``x`` (a name or names) as a tuple of str (TypeError otherwise)."""
    if x is None or isinstance(x, str):
        return x if x is None else (x,)
    names = tuple(x)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"argument is not a string: {n}")
    return names


def _resolve_argnums(fun, signature, static_argnums, static_argnames, donate_argnums,
                     donate_argnames):
    """Fill in argnames from argnums (or the reverse) and check them, as JAX does.

    Each pair is completed only when one of the two is ``None``: given both, JAX
    takes them as they are (a static positional argument passed by keyword is
    then dynamic). Raises ``ValueError`` at ``jit()`` time for numbers past the
    positional parameters and names the function does not take.
    """
    if signature is None:
        if donate_argnames is not None:
            raise ValueError(f"Getting the signature of function {fun} failed. "
                             f"Pass donate_argnums instead of donate_argnames.")
        return (static_argnums or (), static_argnames or (), donate_argnums or (), ())
    static_argnums, static_argnames = _infer_argnums_and_argnames(
        signature, static_argnums, static_argnames)
    donate_argnums, donate_argnames = _infer_argnums_and_argnames(
        signature, donate_argnums, donate_argnames)
    _validate_argnums(signature, static_argnums, "static_argnums")
    _validate_argnames(signature, static_argnames, "static_argnames")
    _validate_argnums(signature, donate_argnums, "donate_argnums")
    _validate_argnames(signature, donate_argnames, "donate_argnames")
    both = set(static_argnames) & set(donate_argnames)
    if both:
        raise ValueError(f"static_argnames and donate_argnames cannot intersect. Argument "
                         f"names {both} appear in both static_argnames and donate_argnames")
    return static_argnums, static_argnames, donate_argnums, donate_argnames


def _infer_argnums_and_argnames(signature, argnums, argnames):
    if argnums is None and argnames is None:
        return (), ()
    if argnums is not None and argnames is not None:
        return argnums, argnames
    params = list(signature.parameters.values())
    named = [(i, p.name) for i, p in enumerate(params) if p.kind is p.POSITIONAL_OR_KEYWORD]
    if argnums is None:
        return tuple(i for i, n in named if n in argnames), argnames
    return argnums, tuple(n for i, n in named if i in argnums)


def _validate_argnums(signature, argnums, what):
    params = signature.parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return   # f(*args) takes any number of positional arguments
    n = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    if argnums and (-min(argnums) > n or max(argnums) >= n):
        raise ValueError(f"Jitted function has {what}={argnums}, but only accepts {n} "
                         f"positional arguments. (at {source_info.user_location()}; argument "
                         f"numbers count from 0, negative ones from the end)")


def _validate_argnames(signature, argnames, what):
    params = signature.parameters.values()
    positional_only = {p.name for p in params
                       if p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL)}
    if bad := positional_only & set(argnames):
        raise ValueError(f"Jitted function has invalid argnames {bad} in {what}. "
                         f"These are positional-only (at {source_info.user_location()})")
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return   # f(**kwargs) takes any name
    if bad := set(argnames) - {p.name for p in params
                               if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}:
        raise ValueError(f"Jitted function has invalid argnames {bad} in {what}. Function "
                         f"does not take these args. (at {source_info.user_location()}; "
                         f"it takes {list(signature.parameters)})")


def _bad_argument(name, dyn):
    """A TypeError naming the first argument that is not an array type."""
    (args, kwargs) = dyn
    for path, leaf in tree_flatten_with_path((args, kwargs))[0]:
        if not is_array_like(leaf):
            where = ("argument " + keystr(path[1:])) if path[0].idx == 0 else \
                ("keyword argument " + keystr(path[1:]))
            return TypeError(
                f"jit({name}): {where} is a {type(leaf).__name__} ({leaf!r:.60}), which is not "
                f"a valid glassbox type (arrays, NumPy arrays, Python scalars, or pytrees of "
                f"them). If it is a configuration value, mark it static with static_argnums "
                f"or static_argnames.")
    return TypeError(f"jit({name}): invalid argument")


def _describe_signature(signature):
    in_tree, avals, static, x64 = signature
    parts = [a.str_short() for a in avals]
    if static:
        parts.append("static=" + ", ".join(map(repr, static)))
    return "(" + ", ".join(parts) + ")"


def _why_recompiled(old, new):
    """A short note saying which input changed between two signatures."""
    if old is None:
        return None
    o_tree, o_avals, o_static, o_x64 = old
    n_tree, n_avals, n_static, n_x64 = new
    if o_tree != n_tree:
        return f"argument structure changed: {o_tree} -> {n_tree}"
    if o_static != n_static:
        return f"static arguments changed: {o_static} -> {n_static}"
    if o_x64 != n_x64:
        return f"enable_x64 changed: {o_x64} -> {n_x64}"
    diffs = [f"input {i}: {a.str_short()} -> {b.str_short()}"
             for i, (a, b) in enumerate(zip(o_avals, n_avals)) if a != b]
    return "; ".join(diffs) or None


def jit(fun=None, /, *, in_shardings=None, out_shardings=None, static_argnums=None,
        static_argnames=None, donate_argnums=None, donate_argnames=None, keep_unused=False,
        device=None, backend=None, inline=False):
    """Compile ``fun`` with XLA.

    Args:
      fun: a function of arrays (pytrees of arrays) returning arrays. Omitted,
        ``jit(**options)`` is a decorator: ``@jit(static_argnames="n")``.
      static_argnums / static_argnames: arguments treated as compile-time
        constants (must be hashable); a new value recompiles. Given one of the
        two, the other is filled in from ``fun``'s signature; numbers past its
        positional parameters or names it does not take are a ``ValueError``.
      donate_argnums / donate_argnames: arguments whose buffers XLA may reuse for
        outputs (same shape and dtype, or as many elements); after the call they
        are deleted. Donations that fit no output warn and are kept, as in JAX.
      keep_unused: keep arguments the function does not use in the compiled
        computation (by default they are pruned, with dead code, as in JAX).
      device / backend: (deprecated, as in JAX) run on this device, or on the
        backend's first device; the outputs live there.
      inline: traced inside another function (``jit``, ``make_jaxpr``...), record
        ``fun``'s equations in place of one ``jit`` equation.
      in_shardings / out_shardings: how the arguments and results are laid out over
        the devices (a ``Sharding``, or a ``PartitionSpec`` of the mesh set with
        ``set_mesh``; one for all, or a pytree prefix; None: unspecified). The
        computation is then partitioned over the mesh by XLA's SPMD partitioner.

    Returns:
      A ``Jitted`` function: call it like ``fun``; ``.lower(*args).as_text()``
      shows the StableHLO, ``.trace(*args).jaxpr`` the jaxpr. Every ``jit`` of
      the same ``fun`` and options shares one cache (as in JAX), so
      ``jit(f)(x)`` in a loop compiles once.

    Example::

        @jit
        def f(x):
            return jnp.sin(x) * 2

        f(jnp.arange(3.))   # traced, lowered, compiled, run
        f(jnp.ones(3))      # cache hit: runs the executable only
    """
    options = dict(static_argnums=static_argnums, static_argnames=static_argnames,
                   donate_argnums=donate_argnums, donate_argnames=donate_argnames,
                   keep_unused=keep_unused, device=device, backend=backend, inline=inline,
                   in_shardings=in_shardings, out_shardings=out_shardings)
    if fun is None:
        return functools.partial(jit, **options)
    jitted = Jitted(fun, **options)
    return jitted if jitted._dispatch == jitted._call_python else jitted._dispatch


def disable_jit(disable=True):
    """Context manager: ``jit`` functions run eagerly inside the block (for debugging)."""
    return config.override(disable_jit=disable)


def make_jaxpr(fun, static_argnums=(), return_shape=False):
    """``make_jaxpr(f)(*args)``: the typed jaxpr ``f`` traces to for these arguments."""
    static_argnums = _index_tuple(static_argnums) or ()
    name = getattr(fun, "__name__", "fun")

    @functools.wraps(fun, updated=())
    def make(*args, **kwargs):
        static = {i: args[i] for i in static_argnums}
        dyn = [a for i, a in enumerate(args) if i not in static_argnums]
        leaves, in_tree = tree_flatten((dyn, kwargs))
        out_tree_box = []

        def flat_fun(*flat):
            dyn_args, kw = tree_unflatten(in_tree, flat)
            it = iter(dyn_args)
            full = [static[i] if i in static else next(it) for i in range(len(args))]
            out = fun(*full, **kw)
            out_leaves, out_tree = tree_flatten(out)
            out_tree_box.append(out)
            return out_leaves
        closed = trace_to_jaxpr(flat_fun, [get_aval(x) for x in leaves], name)
        if return_shape:
            shapes = tree_map(lambda t: ShapeDtypeStruct(t.aval.shape, t.aval.dtype,
                                                         t.aval.weak_type), out_tree_box[0])
            return closed, shapes
        return closed
    return make


class ShapeDtypeStruct:
    """A shape and dtype without a value (``jax.ShapeDtypeStruct``)."""

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape, self.dtype, self.weak_type = tuple(shape), np.dtype(dtype), weak_type

    @property
    def aval(self):
        return ShapedArray(self.shape, self.dtype, self.weak_type)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape)))

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name})"


def eval_shape(fun, *args, **kwargs):
    """Shapes and dtypes of ``fun(*args)`` without running it."""
    leaves, in_tree = tree_flatten((args, kwargs))
    out_box = []

    def flat_fun(*flat):
        a, kw = tree_unflatten(in_tree, flat)
        out_leaves, out_tree = tree_flatten(fun(*a, **kw))
        out_box.append(out_tree)
        return out_leaves
    closed = trace_to_jaxpr(flat_fun, [get_aval(x) for x in leaves], "eval_shape")
    return tree_unflatten(out_box[0], [a if a is abstract_token   # a token: its type, as JAX
                                       else ShapeDtypeStruct(a.shape, a.dtype, a.weak_type)
                                       for a in closed.out_avals])


# ---------------------------------------------------------------------------
# Devices and transfers


def devices(backend=None):
    """The devices glassbox can run on (CPU devices here; see config.cpu_device_count)."""
    return runtime.devices(backend)


def local_devices(process_index=None, backend=None, host_id=None):
    """This process's devices (all of them in a single process; see glassbox.distributed)."""
    return distributed.local_devices(process_index, backend, host_id)


def device_count(backend=None):
    return len(runtime.devices(backend))


def default_backend():
    return runtime.platform()


def device_put(x, device=None):
    """Copy a pytree of arrays/NumPy arrays/scalars onto ``device`` (default: the first),
    or lay it out over several devices as a ``Sharding`` (or a ``PartitionSpec`` of the
    mesh set with ``set_mesh``) says.

    A value being traced (under ``jit``, ``grad``, ``vmap``...) passes through as it is,
    as in JAX: it is put on the device where its computation runs."""
    if isinstance(device, PartitionSpec):
        device = resolve(device)
    return tree_map(lambda leaf: _put_leaf(leaf, device), x)


def _put_leaf(leaf, device):
    if isinstance(leaf, Tracer):
        check_tracer_alive(leaf)   # one that escaped its transform is an error here too
        return leaf
    return _device_put(leaf, device)


def typeof(x):
    """The type of ``x``: its ``ShapedArray`` (shape, dtype, weak type and, over a mesh
    with Explicit axes, its sharding: ``typeof(x).sharding``); for typed PRNG keys, their
    shape and key dtype."""
    of_keys = getattr(x, "_typeof", None)   # keys are a pytree, not an array, in glassbox
    return of_keys() if of_keys is not None else get_aval(x)


def device_get(x):
    """A pytree of Arrays as NumPy arrays (leaves that are not Arrays pass through)."""
    return tree_map(lambda leaf: np.asarray(leaf) if isinstance(leaf, ArrayImpl) else leaf, x)


def block_until_ready(x):
    """Wait until every Array in the pytree ``x`` is computed; returns ``x``."""
    tree_map(lambda leaf: leaf.block_until_ready() if isinstance(leaf, ArrayImpl) else leaf, x)
    return x
