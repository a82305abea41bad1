"""The smaller ``jax.lax`` names: array-creation and broadcasting helpers
(``full_like``, ``broadcast_shapes``, ``broadcast_to_rank``, ``broadcast_like``,
``empty``, ``dtype``, ``index_take``), and the primitives ``mulhi``,
``optimization_barrier``, ``copy``, ``approx_top_k`` (``approx_max_k`` and
``approx_min_k``), ``rng_uniform``, ``rng_bit_generator``, the total-order
comparisons ``eq_to``/``le_to``/``lt_to``, ``stage`` and ``dce_sink``; plus
``platform_dependent``, ``axis_size``, ``composite`` (run inline) and the re-exported
``stop_gradient_p``.

What is exact and what is not: ``approx_max_k``/``approx_min_k`` are exact top-k
(what JAX computes on CPU and GPU, where the approximate TPU algorithm is absent).
``rng_bit_generator`` emits ``stablehlo.rng_bit_generator`` exactly as JAX does
(a ``u32[4]`` key seen as ``u64[2]``), so XLA gives JAX's bits. ``rng_uniform``
lowers to ``stablehlo.rng``, whose numbers XLA leaves to the backend (as in JAX).
"""
import enum

import numpy as np

from .. import dtypes, runtime
from ..core import Primitive, ShapedArray, Tracer, abstract_eval_rules, get_aval
from ..interpreters import ad, batching
from ..interpreters.lowering import lowering_rules
from ._families import (any_dtype, compare_type, defjvp_zero, lower_traced, naryop,
                        ordered)
from .bitwise import bitwise_and, bitwise_not, shift_right_arithmetic, shift_right_logical
from .elementwise import add, convert_element_type, mul, neg, rem
from .shape import (broadcast_in_dim, broadcasted_iota, concatenate, expand_dims, full,
                    transpose)
from .slicing import GatherDimensionNumbers, gather
from .sort import top_k
from ..tree_util import tree_flatten, tree_unflatten

stop_gradient_p = ad.stop_gradient_p


# --- creation and broadcasting helpers -----------------------------------------

def full_like(x, fill_value, dtype=None, shape=None, sharding=None):
    """An array like ``x`` (its shape and dtype, unless ``shape``/``dtype`` are given)
    filled with ``fill_value``. A weak-typed ``x`` gives a weak-typed result."""
    aval = get_aval(x)
    weak = dtype is None and aval.weak_type
    dtype = aval.dtype if dtype is None else dtypes.canonicalize_dtype(np.dtype(dtype))
    shape = aval.shape if shape is None else tuple(int(d) for d in shape)
    fill = convert_element_type(fill_value, dtype, weak)
    return broadcast_in_dim(fill, shape, ())


def broadcast_shapes(*shapes):
    """The NumPy broadcast of ``shapes`` (tuples of ints). ValueError if incompatible."""
    shapes = [tuple(int(d) for d in s) for s in shapes]
    if not shapes:
        return ()
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + s for s in shapes]
    out = []
    for sizes in zip(*padded):
        big = {d for d in sizes if d != 1}
        if len(big) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}")
        out.append(big.pop() if big else 1)
    return tuple(out)


def broadcast_to_rank(x, rank):
    """``x`` with leading size-1 dimensions added up to ``rank``."""
    aval = get_aval(x)
    if aval.ndim >= rank:
        return x
    return broadcast_in_dim(x, (1,) * (rank - aval.ndim) + aval.shape,
                            tuple(range(rank - aval.ndim, rank)))


def broadcast_like(arr, like_arr):
    """``arr`` broadcast (NumPy rules) to ``like_arr``'s shape."""
    a, like = get_aval(arr), get_aval(like_arr)
    if a.shape == like.shape:
        return arr
    shape = broadcast_shapes(a.shape, like.shape)
    if shape != like.shape:
        raise ValueError(f"broadcast_like: cannot broadcast {a.shape} to {like.shape}")
    lead = len(shape) - a.ndim
    return broadcast_in_dim(arr, shape, tuple(range(lead, len(shape))))


def empty(shape, dtype, *, out_sharding=None):
    """An array of ``shape`` and ``dtype`` (zeros: XLA has no uninitialized arrays)."""
    return full(shape, 0, dtypes.canonicalize_dtype(np.dtype(dtype)))


def dtype(x):
    """The canonical dtype of ``x`` (an array, a scalar, or a dtype-like), as
    ``jnp.result_type`` of one value: a Python float is float32 without x64."""
    if isinstance(x, (type, np.dtype, str)):
        return dtypes.canonicalize_dtype(np.dtype(x))
    return get_aval(x).dtype


def index_take(src, idxs, axes):
    """``src[idxs[0], idxs[1], ...]`` along ``axes`` (indices wrap modulo the size), the
    remaining dimensions kept: one ``gather``."""
    axes = tuple(int(a) for a in axes)
    shape = get_aval(src).shape
    idxs = [convert_element_type(i, np.int32) if get_aval(i).dtype != np.int32 else i
            for i in idxs]
    indices = concatenate([expand_dims(i, (1,)) for i in idxs], 1)
    sizes = broadcast_in_dim(np.array([shape[a] for a in axes], np.int32),
                             get_aval(indices).shape, (1,))
    indices = rem(add(rem(indices, sizes), sizes), sizes)
    slice_sizes = list(shape)
    for a in axes:
        slice_sizes[a] = 1
    offset_dims = tuple(range(1, len(shape) - len(axes) + 1))
    dnums = GatherDimensionNumbers(offset_dims=offset_dims, collapsed_slice_dims=axes,
                                   start_index_map=axes)
    return gather(src, indices, dnums, tuple(slice_sizes))


# --- mulhi -------------------------------------------------------------------

def mulhi(x, y):
    """The high half of the double-width product of two integers of one dtype."""
    return mulhi_p.bind(x, y)


mulhi_p = Primitive("mulhi")


def _mulhi_abstract_eval(x, y):
    if not (dtypes.issubdtype(x.dtype, np.integer) and x.dtype == y.dtype):
        raise TypeError(f"mulhi does not accept dtypes {x.dtype}, {y.dtype}; it accepts two "
                        f"integer operands of one dtype")
    if x.shape != y.shape:
        raise TypeError(f"mulhi: operands must have one shape, got {x.shape} and {y.shape}")
    return ShapedArray(x.shape, x.dtype, x.weak_type and y.weak_type)


def _mulhi_lax(x, y):
    # 8 and 16 bits: widen, multiply, shift. 32 and 64 bits (no wider type without x64):
    # schoolbook multiplication of unsigned halves, then the signed correction
    # hi(x*y) = hi_unsigned - (x < 0 ? y : 0) - (y < 0 ? x : 0), as JAX does for 64 bits.
    dt = np.dtype(x.aval.dtype)
    bits = dt.itemsize * 8
    signed = dtypes.issubdtype(dt, np.signedinteger)
    if bits < 32:
        wide = np.dtype(f"{'i' if signed else 'u'}{2 * dt.itemsize}")
        prod = mul(convert_element_type(x, wide), convert_element_type(y, wide))
        shift = np.array(bits, wide)
        prod = (shift_right_arithmetic if signed else shift_right_logical)(prod, shift)
        return convert_element_type(prod, dt)
    u = np.dtype(f"u{dt.itemsize}")
    half = bits // 2
    xu, yu = convert_element_type(x, u), convert_element_type(y, u)
    lo, sh = np.array((1 << half) - 1, u), np.array(half, u)
    x_lo, x_hi = bitwise_and(xu, lo), shift_right_logical(xu, sh)
    y_lo, y_hi = bitwise_and(yu, lo), shift_right_logical(yu, sh)
    lo_lo, lo_hi = mul(x_lo, y_lo), mul(x_lo, y_hi)
    hi_lo, hi_hi = mul(x_hi, y_lo), mul(x_hi, y_hi)
    cross = add(add(bitwise_and(lo_hi, lo), bitwise_and(hi_lo, lo)),
                shift_right_logical(lo_lo, sh))
    hi = add(hi_hi, add(shift_right_logical(lo_hi, sh),
                        add(shift_right_logical(hi_lo, sh), shift_right_logical(cross, sh))))
    hi = convert_element_type(hi, dt)
    if signed:
        top = np.array(bits - 1, dt)
        hi = add(hi, add(mul(shift_right_arithmetic(x, top), y),
                         mul(shift_right_arithmetic(y, top), x)))
    return hi


abstract_eval_rules[mulhi_p] = _mulhi_abstract_eval
lowering_rules[mulhi_p] = lambda ctx, x, y: lower_traced(ctx, lambda a, b: [_mulhi_lax(a, b)],
                                                         [x, y])[0]
ad.jvp_rules[mulhi_p] = lambda primals, tangents: (
    mulhi_p.bind(*primals), ad.zero_tangent(get_aval(primals[0])))
batching.defbroadcasting(mulhi_p)


# --- optimization_barrier ----------------------------------------------------

def optimization_barrier(operand, /):
    """Identity on a pytree of arrays that XLA may not move computations across
    (``stablehlo.optimization_barrier``): e.g. to keep a rematerialization in place."""
    leaves, tree = tree_flatten(operand)
    return tree_unflatten(tree, optimization_barrier_p.bind(*leaves))


optimization_barrier_p = Primitive("optimization_barrier", multiple_results=True)
abstract_eval_rules[optimization_barrier_p] = lambda *avals: list(avals)
lowering_rules[optimization_barrier_p] = lambda ctx, *xs: ctx.op(
    "stablehlo.optimization_barrier", list(xs), list(ctx.avals_out)) if xs else []


def _optimization_barrier_jvp(primals, tangents):
    # Primals and tangents go through separate barriers, so that linearization keeps the
    # primal one known and only the tangent one (linear) is transposed.
    nz = [not ad.is_zero(t) for t in tangents]
    p_out = optimization_barrier_p.bind(*primals)
    t_out = iter(optimization_barrier_p.bind(*[t for t, n in zip(tangents, nz) if n]))
    return p_out, [next(t_out) if n else t for n, t in zip(nz, tangents)]


def _optimization_barrier_transpose(cts, *xs):
    return [ct if ad.is_zero(ct) else optimization_barrier_p.bind(ct)[0] for ct in cts]


ad.jvp_rules[optimization_barrier_p] = _optimization_barrier_jvp
ad.transpose_rules[optimization_barrier_p] = _optimization_barrier_transpose
batching.batch_rules[optimization_barrier_p] = lambda axis_data, args, dims: (
    optimization_barrier_p.bind(*args), list(dims))


# --- copy --------------------------------------------------------------------

copy_p = Primitive("copy")
abstract_eval_rules[copy_p] = lambda x: x
lowering_rules[copy_p] = lambda ctx, x: x
ad.deflinear(copy_p, lambda ct, x: [ct if ad.is_zero(ct) else copy_p.bind(ct)])
batching.defvectorized(copy_p)


# --- approx_top_k --------------------------------------------------------------

def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True):
    """The ``k`` largest values along ``reduction_dimension`` and their indices (exact on
    CPU and GPU, as in JAX). Returns ``(values, indices)``."""
    return _approx_top_k(operand, k, reduction_dimension, recall_target, True,
                         reduction_input_size_override, aggregate_to_topk)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True):
    """The ``k`` smallest values along ``reduction_dimension`` and their indices."""
    return _approx_top_k(operand, k, reduction_dimension, recall_target, False,
                         reduction_input_size_override, aggregate_to_topk)


def _approx_top_k(operand, k, dim, recall_target, is_max_k, override, aggregate):
    ndim = get_aval(operand).ndim
    if not -ndim <= int(dim) < ndim:
        raise ValueError(f"reduction_dimension {dim} is out of bounds for an operand of rank "
                         f"{ndim}")
    return list(approx_top_k_p.bind(
        operand, k=int(k), reduction_dimension=int(dim) % ndim,
        recall_target=float(recall_target), is_max_k=bool(is_max_k),
        reduction_input_size_override=int(override), aggregate_to_topk=bool(aggregate)))


approx_top_k_p = Primitive("approx_top_k", multiple_results=True)


def _approx_top_k_abstract_eval(x, *, k, reduction_dimension, is_max_k, **_):
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if x.shape[reduction_dimension] < k:
        raise ValueError(f"k must be smaller than the size of reduction_dim "
                         f"{x.shape[reduction_dimension]}, got {k}")
    shape = list(x.shape)
    shape[reduction_dimension] = k
    return [ShapedArray(tuple(shape), x.dtype, x.weak_type),
            ShapedArray(tuple(shape), np.dtype(np.int32), False)]


def _approx_top_k_lax(x, *, k, reduction_dimension, is_max_k, **_):
    ndim = x.aval.ndim
    perm = [d for d in range(ndim) if d != reduction_dimension] + [reduction_dimension]
    inv = list(np.argsort(perm))
    xt = transpose(x, perm)
    if is_max_k:
        vals, idx = top_k(xt, k)
    else:   # an order-reversing map that cannot overflow: ~x for integers, -x for floats
        flip = bitwise_not if dtypes.issubdtype(x.aval.dtype, np.integer) else neg
        vals, idx = top_k(flip(xt), k)
        vals = flip(vals)
    return [transpose(vals, inv), transpose(idx, inv)]


def _approx_top_k_jvp(primals, tangents, **params):
    vals, idx = approx_top_k_p.bind(*primals, **params)
    t = tangents[0]
    if ad.is_zero(t):
        return [vals, idx], [ad.zero_tangent(get_aval(vals)), ad.zero_tangent(get_aval(idx))]
    dim = params["reduction_dimension"]
    shape = get_aval(idx).shape
    # take t at idx along dim: gather with full iotas for the other dims
    coords = [idx if d == dim else broadcasted_iota(np.int32, shape, d)
              for d in range(len(shape))]
    indices = concatenate([expand_dims(c, (len(shape),)) for c in coords], len(shape))
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=tuple(range(len(shape))),
                                   start_index_map=tuple(range(len(shape))))
    t_out = gather(t, indices, dnums, (1,) * len(shape))
    return [vals, idx], [t_out, ad.zero_tangent(get_aval(idx))]


def _approx_top_k_batch(axis_data, args, dims, *, reduction_dimension, **params):
    x = batching.moveaxis(args[0], dims[0], 0)
    outs = approx_top_k_p.bind(x, reduction_dimension=reduction_dimension + 1, **params)
    return outs, [0, 0]


abstract_eval_rules[approx_top_k_p] = _approx_top_k_abstract_eval
lowering_rules[approx_top_k_p] = lambda ctx, x, **p: lower_traced(ctx, _approx_top_k_lax,
                                                                  [x], **p)
ad.jvp_rules[approx_top_k_p] = _approx_top_k_jvp
batching.batch_rules[approx_top_k_p] = _approx_top_k_batch


# --- rng_uniform ---------------------------------------------------------------

def rng_uniform(a, b, shape):
    """Stateful uniform numbers in ``[a, b)`` from XLA's backend RNG (``stablehlo.rng``):
    not reproducible across backends; use ``glassbox.random`` for JAX's numbers."""
    return rng_uniform_p.bind(a, b, shape=tuple(int(d) for d in shape))


rng_uniform_p = Primitive("rng_uniform")


def _rng_uniform_abstract_eval(a, b, *, shape):
    if a.dtype != b.dtype:
        raise ValueError(f"Arguments to rng_uniform must have identical dtypes, got "
                         f"{a.dtype} and {b.dtype}.")
    if a.shape != () or b.shape != ():
        raise ValueError(f"Arguments to rng_uniform must be scalars; got shapes {a.shape} and "
                         f"{b.shape}.")
    return ShapedArray(shape, a.dtype, a.weak_type and b.weak_type)


def _rng_uniform_lowering(ctx, a, b, *, shape):
    shape_aval = ShapedArray((len(shape),), np.dtype(np.int64))
    s = ctx.constant(np.array(shape, np.int64), shape_aval)
    return ctx.op("stablehlo.rng", [a, b, s],
                  attrs={"rng_distribution": "#stablehlo<rng_distribution UNIFORM>"})


abstract_eval_rules[rng_uniform_p] = _rng_uniform_abstract_eval
lowering_rules[rng_uniform_p] = _rng_uniform_lowering


# --- rng_bit_generator ---------------------------------------------------------

class RandomAlgorithm(enum.IntEnum):
    """Which PRNG algorithm ``rng_bit_generator`` uses."""
    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2

    def __str__(self):
        return self.name


_RNG_ATTR = {0: "DEFAULT", 1: "THREE_FRY", 2: "PHILOX"}


def rng_bit_generator(key, shape, dtype=np.uint32, algorithm=RandomAlgorithm.RNG_DEFAULT, *,
                      out_sharding=None):
    """Random bits from a stateless generator: ``(new_key, bits)``. ``key`` is a
    ``uint32[4]`` (or ``uint64[2]``); ``dtype`` an unsigned integer type. Lowers to
    ``stablehlo.rng_bit_generator`` (XLA's Threefry or Philox), JAX's bits."""
    shape = tuple(int(d) for d in shape)
    dt = dtypes.canonicalize_dtype(np.dtype(dtype))
    if dt not in (np.uint8, np.uint16, np.uint32, np.uint64):
        raise TypeError(f"rng_bit_generator: unsupported dtype {dt}")
    return tuple(rng_bit_generator_p.bind(key, shape=shape, dtype=dt,
                                          algorithm=RandomAlgorithm(algorithm)))


rng_bit_generator_p = Primitive("rng_bit_generator", multiple_results=True)


def _rng_bit_generator_abstract_eval(key, *, shape, dtype, algorithm):
    if not ((key.shape == (4,) and key.dtype == np.uint32)
            or (key.shape == (2,) and key.dtype == np.uint64)):
        raise TypeError(f"rng_bit_generator: key must be uint32[4] or uint64[2], got "
                        f"{key.str_short()}")
    return [key, ShapedArray(shape, dtype, False)]


def _rng_bit_generator_lowering(ctx, key, *, shape, dtype, algorithm):
    key_aval = ctx.avals_in[0]
    k64 = ShapedArray((2,), np.dtype(np.uint64))
    if key_aval.dtype == np.uint32:
        key = ctx.op("stablehlo.bitcast_convert", [
            ctx.op("stablehlo.reshape", [key], ShapedArray((2, 2), np.dtype(np.uint32)))], k64)
    rbg = dtype if dtype in (np.uint32, np.uint64) else np.dtype(np.uint32)
    if dtype in (np.uint8, np.uint16):
        rbg = np.dtype(np.uint32)
    new_key, bits = ctx.op("stablehlo.rng_bit_generator", [key],
                           [k64, ShapedArray(shape, rbg)],
                           attrs={"rng_algorithm":
                                  f"#stablehlo<rng_algorithm {_RNG_ATTR[int(algorithm)]}>"})
    if key_aval.dtype == np.uint32:
        new_key = ctx.op("stablehlo.reshape", [
            ctx.op("stablehlo.bitcast_convert", [new_key],
                   ShapedArray((2, 2), np.dtype(np.uint32)))], key_aval)
    if rbg != dtype:
        bits = ctx.op("stablehlo.convert", [bits], ShapedArray(shape, dtype))
    return [new_key, bits]


abstract_eval_rules[rng_bit_generator_p] = _rng_bit_generator_abstract_eval
lowering_rules[rng_bit_generator_p] = _rng_bit_generator_lowering


# --- eq_to / le_to / lt_to: comparisons in IEEE total order -----------------------
# As eq/le/lt, but floats compare with compare_type TOTALORDER (-nan < -inf < ... <
# -0.0 < 0.0 < ... < inf < nan, so nan == nan and -0.0 < 0.0), as JAX's sort uses.

def _total_order_lowering(direction):
    def lower(ctx, x, y):
        aval = ctx.avals_in[0]
        kind = ("TOTALORDER" if dtypes.is_inexact(aval.dtype) else compare_type(aval.dtype)
                .split()[-1].rstrip(">"))
        return ctx.op("stablehlo.compare", [x, y], ctx.avals_out[0], attrs={
            "comparison_direction": f"#stablehlo<comparison_direction {direction}>",
            "compare_type": f"#stablehlo<comparison_type {kind}>"})
    return lower


eq_to_p = naryop("eq_to", any_dtype, _total_order_lowering("EQ"), result_dtype=lambda d: np.bool_)
le_to_p = naryop("le_to", ordered, _total_order_lowering("LE"), result_dtype=lambda d: np.bool_)
lt_to_p = naryop("lt_to", ordered, _total_order_lowering("LT"), result_dtype=lambda d: np.bool_)
for _p in (eq_to_p, le_to_p, lt_to_p):
    defjvp_zero(_p)


# --- stage -------------------------------------------------------------------

def stage(x, /):
    """Identity that lifts ``x`` (a Python scalar, a NumPy array) into the current
    trace; outside any trace it returns an Array. A traced value is returned as is (JAX
    records no equation for it either)."""
    if isinstance(x, Tracer):
        return x
    return stage_p.bind(x)


stage_p = Primitive("stage")
abstract_eval_rules[stage_p] = lambda x: x
lowering_rules[stage_p] = lambda ctx, x: x
ad.deflinear(stage_p, lambda ct, x: [ct])
batching.defvectorized(stage_p)


# --- dce_sink ------------------------------------------------------------------

def dce_sink(val, *, prevent_mlir_dce=False):
    """Use ``val`` (a pytree) in an equation with no outputs, so that dead-code
    elimination of the jaxpr keeps what computes it. Returns None."""
    for leaf in tree_flatten(val)[0]:
        dce_sink_p.bind(leaf, prevent_mlir_dce=bool(prevent_mlir_dce))


dce_sink_p = Primitive("dce_sink", multiple_results=True)
abstract_eval_rules[dce_sink_p] = lambda x, **_: []
lowering_rules[dce_sink_p] = lambda ctx, x, **_: []
ad.jvp_rules[dce_sink_p] = lambda primals, tangents, **params: (
    dce_sink_p.bind(*primals, **params), [])
batching.batch_rules[dce_sink_p] = lambda axis_data, args, dims, **params: (
    dce_sink_p.bind(*args, **params), [])


# --- composite -----------------------------------------------------------------

def composite(decomposition, name, version=0):
    """Mark ``decomposition`` as the composite op ``name`` (JAX emits
    ``stablehlo.composite`` so a backend may substitute its own kernel). glassbox has
    one backend and no such kernels: the returned function runs ``decomposition``
    inline, with the same values and derivatives."""
    if not callable(decomposition):
        raise TypeError(f"composite: decomposition must be callable, got {decomposition!r}")

    def composite_fn(*args, **kwargs):
        return decomposition(*args, **kwargs)
    composite_fn.__name__ = getattr(decomposition, "__name__", "composite")
    composite_fn.__doc__ = decomposition.__doc__
    composite_fn.composite_name, composite_fn.composite_version = str(name), int(version)
    return composite_fn


# --- platform_dependent, axis_size ---------------------------------------------

def platform_dependent(*args, default=None, **per_platform):
    """``per_platform[platform](*args)`` for the platform glassbox runs on (``cpu``
    here), else ``default(*args)``."""
    for name, branch in per_platform.items():
        if not callable(branch):
            raise TypeError(f"lax.platform_dependent: the '{name}' branch must be a "
                            f"callable.")
        if name == "gpu":
            raise ValueError("Use 'cuda' or 'rocm' for lax.platform_dependent.")
    if default is not None and not callable(default):
        raise TypeError("lax.platform_dependent: the 'default' branch must be a callable.")
    platform = runtime.platform()
    branch = per_platform.get(platform, default)
    if branch is None:
        raise NotImplementedError(f"lax.platform_dependent: no branch for the platform "
                                  f"'{platform}' and no default branch")
    return branch(*args)


def axis_size(axis_name):
    """The size of the mapped axis ``axis_name`` (inside ``vmap(..., axis_name=...)``)."""
    if isinstance(axis_name, (tuple, list)):
        n = 1
        for a in axis_name:
            n *= batching.axis_size_of(a)
        return n
    return batching.axis_size_of(axis_name)


__all__ = ["stop_gradient_p", "full_like", "broadcast_shapes", "broadcast_to_rank",
           "broadcast_like", "empty", "dtype", "index_take", "mulhi", "mulhi_p",
           "optimization_barrier", "optimization_barrier_p", "copy_p", "approx_max_k",
           "approx_min_k", "approx_top_k_p", "rng_uniform", "rng_uniform_p",
           "RandomAlgorithm", "rng_bit_generator", "rng_bit_generator_p",
           "platform_dependent", "axis_size", "eq_to_p", "le_to_p", "lt_to_p", "stage",
           "stage_p", "dce_sink", "dce_sink_p", "composite"]
