"""``jax.extend.linear_util``: functions wrapped with a stack of transformations.

JAX threads a user function through its internals as a ``WrappedFun``: the function,
keyword parameters bound to it, and a stack of *transformations*, each a function
``gen(f, *static_args, *args, **kwargs)`` that calls ``f`` (the function below it) and
may change its inputs and outputs; a transformation "with aux" also gets a ``Store``
where it leaves a side result (an output tree, say) to read once the whole stack has
run. ``call_wrapped(*args)`` runs the stack. glassbox's own transforms take plain
functions; this module exists for code written against JAX (flax builds
``wrap_init(fn)`` and hands it to ``partial_eval.trace_to_jaxpr_nounits``, which calls
``call_wrapped``).

Example::

    @transformation_with_aux2
    def flatten_outputs(f, store, *args):
        out = f(*args)
        leaves, tree = tree_flatten(out)
        store.store(tree)
        return leaves

    wrapped, out_tree = flatten_outputs(wrap_init(fn))
    leaves = wrapped.call_wrapped(x)   # then out_tree() is the tree
"""
import functools
import weakref
from typing import NamedTuple


class StoreException(Exception):
    """Reading an empty ``Store``, or filling a full one."""


_EMPTY = object()


class Store:
    """A slot a transformation fills once with its auxiliary output."""

    __slots__ = ("_val",)

    def __init__(self):
        self._val = _EMPTY

    def store(self, val):
        if self._val is not _EMPTY:
            raise StoreException("Store occupied")
        self._val = val

    def reset(self):
        self._val = _EMPTY

    @property
    def val(self):
        if self._val is _EMPTY:
            raise StoreException("Store empty")
        return self._val

    def __bool__(self):
        return self._val is not _EMPTY


class EqualStore(Store):
    """A ``Store`` that may be filled again with an equal value."""

    __slots__ = ()

    def store(self, val):
        if self._val is not _EMPTY:
            try:
                same = bool(self._val == val)
            except Exception:
                same = False
            if not same:
                raise StoreException("Store occupied with not-equal value")
            return
        self._val = val


class DebugInfo(NamedTuple):
    """What JAX records about a traced function for its messages: what it was traced
    for, its name and source location, its argument names and result paths."""

    traced_for: str
    func_src_info: str | None
    arg_names: tuple | None
    result_paths: tuple | None

    @property
    def func_name(self):
        return (self.func_src_info or "").split(" ")[0] or "<unnamed function>"


def _missing_debug_info(for_what):
    return DebugInfo(for_what, "<missing_debug_info>", None, None)


class WrappedFun:
    """``f`` with parameters bound and a stack of transformations (outermost first in
    ``transforms``); ``call_wrapped`` runs them."""

    __slots__ = ("f", "f_transformed", "transforms", "stores", "params", "in_type",
                 "debug_info")

    def __init__(self, f, f_transformed, transforms, stores, params, in_type, debug_info):
        self.f = f
        self.f_transformed = f_transformed
        self.transforms = transforms
        self.stores = stores
        self.params = params
        self.in_type = in_type
        self.debug_info = debug_info

    @property
    def __name__(self):
        return getattr(self.f, "__name__", "<unnamed wrapped function>")

    def wrap(self, gen, gen_static_args, out_store):
        """This function with one more transformation on top (and its store, or None)."""
        extra = (gen_static_args if out_store is None else (out_store, *gen_static_args))
        return WrappedFun(self.f, functools.partial(gen, self.f_transformed, *extra),
                          ((gen, gen_static_args),) + self.transforms,
                          (out_store,) + self.stores, self.params, None, self.debug_info)

    def call_wrapped(self, *args, **kwargs):
        """Run the transformations and the function."""
        return self.f_transformed(*args, **kwargs)

    def populate_stores(self, stores):
        """Fill this function's stores from ``stores`` (another run's, when cached)."""
        for mine, theirs in zip(self.stores, stores):
            if mine is not None:
                mine.store(theirs.val)

    def replace_debug_info(self, debug_info):
        return WrappedFun(self.f, self.f_transformed, self.transforms, self.stores,
                          self.params, self.in_type, debug_info)

    def __repr__(self):
        stack = "\n".join(f"{i}   : {getattr(g, '__name__', g)}   {args}"
                          for i, (g, args) in enumerate(self.transforms))
        return f"Wrapped function:\n{stack}\nCore: {self.__name__}\n"

    def __hash__(self):
        return hash((self.f, self.transforms, self.params, self.in_type, self.debug_info))

    def __eq__(self, other):
        return (isinstance(other, WrappedFun) and self.f == other.f
                and self.transforms == other.transforms and self.params == other.params
                and self.in_type == other.in_type and self.debug_info == other.debug_info)


def wrap_init(f, params=None, *, debug_info=None):
    """``f`` as a ``WrappedFun`` with no transformations; ``params`` (a dict) are passed
    to it as keyword arguments."""
    bound = {} if params is None else dict(params)
    debug_info = debug_info or _missing_debug_info("linear_util.wrap_init")
    return WrappedFun(f, functools.partial(f, **bound), (), (), tuple(sorted(bound.items())),
                      None, debug_info)


def transformation2(gen, fun=None, *gen_static_args):
    """Add the transformation ``gen(f, *gen_static_args, *args, **kwargs)`` on top of
    ``fun``. As a decorator (``@transformation2``) it makes ``gen`` a function of
    ``(fun, *gen_static_args)``."""
    if fun is None:
        return functools.wraps(gen)(lambda fun, *static: fun.wrap(gen, static, None))
    return fun.wrap(gen, gen_static_args, None)


def transformation_with_aux2(gen, fun=None, *gen_static_args, use_eq_store=False,
                             unk_names=False):
    """As ``transformation2``, where ``gen(f, store, *gen_static_args, *args,
    **kwargs)`` also gets a ``Store``: returns ``(wrapped, thunk)``, ``thunk()`` giving
    what ``gen`` stored once ``wrapped`` has run."""
    del unk_names
    if fun is None:
        def apply(fun, *static, use_eq_store=use_eq_store):
            return transformation_with_aux2(gen, fun, *static, use_eq_store=use_eq_store)
        return functools.wraps(gen)(apply)
    store = EqualStore() if use_eq_store else Store()
    return fun.wrap(gen, gen_static_args, store), lambda: store.val


def transformation(gen, fun=None, *gen_static_args):
    """The older, generator form: ``gen(*gen_static_args, *args)`` yields the arguments
    for the function below, receives its result and yields the result."""
    def gen2(f, *args, **kwargs):
        gen_inst = gen(*args, **kwargs)
        args_, kwargs_ = next(gen_inst)
        return gen_inst.send(f(*args_, **kwargs_))
    gen2.__name__ = getattr(gen, "__name__", "transformation")
    if fun is None:
        return functools.wraps(gen)(lambda fun, *static: fun.wrap(gen2, static, None))
    return fun.wrap(gen2, gen_static_args, None)


def transformation_with_aux(gen, fun=None, *gen_static_args):
    """The generator form with an auxiliary output: ``gen`` yields ``(result, aux)``."""
    def gen2(f, store, *args, **kwargs):
        gen_inst = gen(*args, **kwargs)
        args_, kwargs_ = next(gen_inst)
        ans, aux = gen_inst.send(f(*args_, **kwargs_))
        store.store(aux)
        return ans
    gen2.__name__ = getattr(gen, "__name__", "transformation_with_aux")
    if fun is None:
        return functools.wraps(gen)(lambda fun, *static: transformation_with_aux2(
            gen2, fun, *static))
    return transformation_with_aux2(gen2, fun, *gen_static_args)


def merge_linear_aux(aux1, aux2):
    """``(True, aux1())`` or ``(False, aux2())``: whichever of two stores was filled
    (exactly one must be)."""
    try:
        out1 = aux1()
    except StoreException:
        try:
            return False, aux2()
        except StoreException:
            raise StoreException("neither store occupied") from None
    try:
        aux2()
    except StoreException:
        return True, out1
    raise StoreException("both stores occupied")


def cache(call, *, explain=None):
    """Memoize ``call(fun: WrappedFun, *args)`` on ``fun``'s function, transformations,
    params and ``args`` (hashable); a hit refills ``fun``'s stores from the cached
    run."""
    del explain
    caches = weakref.WeakKeyDictionary()

    def memoized(fun, *args):
        table = caches.setdefault(fun.f, {})
        key = (fun.transforms, fun.params, fun.in_type, args)
        hit = table.get(key)
        if hit is not None:
            ans, stores = hit
            fun.populate_stores(stores)
            return ans
        ans = call(fun, *args)
        table[key] = (ans, fun.stores)
        return ans
    memoized.cache_clear = caches.clear
    memoized.evict_function = lambda f: caches.pop(f, None)
    return memoized
