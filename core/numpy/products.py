"""Products in glassbox.numpy: ``dot``, ``matmul``, ``vdot``, ``inner``, ``outer``,
``tensordot``, ``einsum``, ``kron``, ``trace``.

All contractions lower to ``lax.dot_general``. As in jax.numpy, operands are
not converted before the contraction: the result dtype (JAX's promotion of
the operands, or ``preferred_element_type``) is passed to ``dot_general`` as
its accumulation type, and the result is weakly typed only if every operand is.
"""
import math
import operator
import string

import numpy as np

from .. import dtypes, lax
from ..core import get_aval
from ._util import broadcast_shapes, broadcast_to, check_arraylike, promote_dtypes
from .reductions import sum as _sum
from ..dtypes import PYTHON_SCALARS

__all__ = ["dot", "matmul", "vdot", "vecdot", "inner", "outer", "tensordot", "einsum",
           "einsum_path", "kron", "trace"]


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return len(get_aval(x).shape)


def _result_type(name, args, preferred_element_type):
    """(accumulation dtype, weak flag) as jax.numpy picks them."""
    if preferred_element_type is None:
        return dtypes.result_type(*args, return_weak_type_flag=True)
    try:
        return dtypes.canonicalize_dtype(preferred_element_type), False
    except TypeError as e:
        raise TypeError(f"jnp.{name}: invalid preferred_element_type: {e}") from None


def _finish(x, dtype, weak):
    return lax.convert_element_type(x, dtype, weak)


def _as_array(x):
    """Python scalars become rank-0 arrays of their (weak) dtype, so lax can bind them."""
    if type(x) in PYTHON_SCALARS:
        aval = get_aval(x)
        return lax.convert_element_type(x, aval.dtype, False)
    return x


def _squeeze(x, dims):
    if not dims:
        return x
    return lax.reshape(x, tuple(d for i, d in enumerate(_shape(x)) if i not in dims))


# ---------------------------------------------------------------------------
# dot, matmul, vdot, inner, outer, tensordot


def dot(a, b, *, precision=None, preferred_element_type=None):
    """Dot product (``numpy.dot``): sum over the last axis of ``a`` and the second-to-last
    of ``b`` (the only axis if ``b`` is 1-d); scalars multiply.

    Example: ``jnp.dot(jnp.ones((2, 3)), jnp.ones(3))`` is ``[3., 3.]``.
    """
    check_arraylike("dot", a, b)
    dtype, weak = _result_type("dot", (a, b), preferred_element_type)
    a, b = _as_array(a), _as_array(b)
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        contract = ((), ())
    else:
        cb = 0 if nb == 1 else nb - 2
        if _shape(a)[-1] != _shape(b)[cb]:
            raise TypeError(f"dot: shapes {_shape(a)} and {_shape(b)} are not aligned: "
                            f"dimension {_shape(a)[-1]} (dim {na - 1} of a) != "
                            f"{_shape(b)[cb]} (dim {cb} of b)")
        contract = ((na - 1,), (cb,))
    out = lax.dot_general(a, b, (contract, ((), ())), precision=precision,
                          preferred_element_type=dtype)
    return _finish(out, dtype, weak)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """Matrix product (``numpy.matmul``, the ``@`` operator).

    1-d operands are treated as vectors (the added axis is removed again);
    leading dimensions are batch dimensions and broadcast (size 1 stretches).

    Raises:
      ValueError: for scalars or incompatible batch shapes.
      TypeError: when the contracting dimensions differ (the message names both shapes).
    """
    check_arraylike("matmul", a, b)
    dtype, weak = _result_type("matmul", (a, b), preferred_element_type)
    a, b = _as_array(a), _as_array(b)
    for i, x in enumerate((a, b)):
        if _ndim(x) < 1:
            raise ValueError(f"matmul input operand {i} must have ndim at least 1, but it has "
                             f"ndim {_ndim(x)}")
    a_shape, b_shape = _shape(a), _shape(b)
    a_is_mat, b_is_mat = len(a_shape) > 1, len(b_shape) > 1
    kb = b_shape[-2] if b_is_mat else b_shape[-1]
    if a_shape[-1] != kb:
        raise TypeError(f"matmul: contracting dimension of a (shape {a_shape}) and b (shape "
                        f"{b_shape}) differ: {a_shape[-1]} != {kb}")
    a_batch = a_shape[:-2] if a_is_mat else ()
    b_batch = b_shape[:-2] if b_is_mat else ()
    nbatch = max(len(a_batch), len(b_batch))
    a_batch = (None,) * (nbatch - len(a_batch)) + a_batch
    b_batch = (None,) * (nbatch - len(b_batch)) + b_batch
    a_squeeze, b_squeeze, a_bdims, b_bdims = [], [], [], []
    idx_batch, idx_a, idx_b = [], [], []
    # Sort each batch position into: a true batch dim, a dim only one side has, or a
    # size-1 dim broadcast against the other side (squeezed out of that side).
    for i, (ba, bb) in enumerate(zip(a_batch, b_batch)):
        if ba is None:
            idx_b.append(i)
        elif bb is None:
            idx_a.append(i)
        elif ba == 1 and bb != 1:
            idx_b.append(i)
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
        elif bb == 1 and ba != 1:
            idx_a.append(i)
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
        elif ba == bb:
            a_bdims.append(len(idx_batch) + len(idx_a))
            b_bdims.append(len(idx_batch) + len(idx_b))
            idx_batch.append(i)
        else:
            raise ValueError(f"Incompatible shapes for matmul arguments: {a_shape} and "
                             f"{b_shape} (batch dimensions {ba} and {bb} do not broadcast)")
    if a_is_mat:
        idx_a.append(nbatch)
    if b_is_mat:
        idx_b.append(nbatch + a_is_mat)
    perm = np.argsort(idx_batch + idx_a + idx_b)
    a = _squeeze(a, a_squeeze)
    b = _squeeze(b, b_squeeze)
    dims = (((_ndim(a) - 1,), (_ndim(b) - 1 - b_is_mat,)), (tuple(a_bdims), tuple(b_bdims)))
    out = lax.dot_general(a, b, dims, precision=precision, preferred_element_type=dtype)
    return _finish(lax.transpose(out, tuple(int(p) for p in perm)), dtype, weak)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """Dot product of the flattened arrays, conjugating ``a`` if complex."""
    check_arraylike("vdot", a, b)
    a, b = _as_array(a), _as_array(b)
    if dtypes.is_complex(get_aval(a).dtype):
        a = lax.conj(a)
    flat = lambda x: lax.reshape(x, (math.prod(_shape(x)),))  # noqa: E731
    return dot(flat(a), flat(b), precision=precision,
               preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """Array-API vector dot product along ``axis`` (``x1`` conjugated), broadcasting
    the other dimensions."""
    check_arraylike("vecdot", x1, x2)
    x1, x2 = _as_array(x1), _as_array(x2)
    s1, s2 = _shape(x1), _shape(x2)
    if not s1 or not s2:
        raise ValueError("vecdot requires arrays of rank >= 1")
    ax1, ax2 = _canon(axis, len(s1), "vecdot"), _canon(axis, len(s2), "vecdot")
    if s1[ax1] != s2[ax2]:
        raise ValueError(f"vecdot: axis sizes differ: {s1[ax1]} (shape {s1}) != {s2[ax2]} "
                         f"(shape {s2})")
    if dtypes.is_complex(get_aval(x1).dtype):
        x1 = lax.conj(x1)
    x1 = _moveaxis_last(x1, ax1)
    x2 = _moveaxis_last(x2, ax2)
    batch = broadcast_shapes(_shape(x1)[:-1], _shape(x2)[:-1], fun_name="vecdot")
    x1 = broadcast_to(x1, batch + _shape(x1)[-1:])
    x2 = broadcast_to(x2, batch + _shape(x2)[-1:])
    b = tuple(range(len(batch)))
    dtype, weak = _result_type("vecdot", (x1, x2), preferred_element_type)
    out = lax.dot_general(x1, x2, (((len(batch),), (len(batch),)), (b, b)),
                          precision=precision, preferred_element_type=dtype)
    return _finish(out, dtype, weak)


def _canon(axis, ndim, name):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _moveaxis_last(x, axis):
    n = _ndim(x)
    return lax.transpose(x, tuple(i for i in range(n) if i != axis) + (axis,))


def inner(a, b, *, precision=None, preferred_element_type=None):
    """Inner product over the last axes of ``a`` and ``b`` (scalars multiply)."""
    check_arraylike("inner", a, b)
    if _ndim(a) == 0 or _ndim(b) == 0:
        return dot(a, b, precision=precision, preferred_element_type=preferred_element_type)
    return tensordot(a, b, (-1, -1), precision=precision,
                     preferred_element_type=preferred_element_type)


def outer(a, b, out=None):
    """Outer product of the flattened ``a`` and ``b``: shape ``(a.size, b.size)``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.outer is not supported.")
    check_arraylike("outer", a, b)
    a, b = promote_dtypes(a, b)
    a, b = _as_array(a), _as_array(b)
    na, nb = math.prod(_shape(a)), math.prod(_shape(b))
    a2 = lax.broadcast_in_dim(lax.reshape(a, (na,)), (na, nb), (0,))
    b2 = lax.broadcast_in_dim(lax.reshape(b, (nb,)), (na, nb), (1,))
    return lax.mul(a2, b2)


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """Sum products over the given axes (``numpy.tensordot``).

    ``axes`` is an int N (last N axes of ``a`` with first N of ``b``), a pair of
    ints, or a pair of sequences of axes.
    """
    check_arraylike("tensordot", a, b)
    dtype, weak = _result_type("tensordot", (a, b), preferred_element_type)
    a, b = _as_array(a), _as_array(b)
    na, nb = _ndim(a), _ndim(b)
    if type(axes) is int:
        if not 0 <= axes <= min(na, nb):
            raise TypeError(f"Number of tensordot axes (axes {axes}) exceeds input ranks "
                            f"({_shape(a)} and {_shape(b)})")
        contract = (tuple(range(na - axes, na)), tuple(range(axes)))
    elif isinstance(axes, (tuple, list)) and len(axes) == 2:
        ax1, ax2 = axes
        if isinstance(ax1, int) and isinstance(ax2, int):
            contract = ((_canon(ax1, na, "tensordot"),), (_canon(ax2, nb, "tensordot"),))
        elif isinstance(ax1, (tuple, list)) and isinstance(ax2, (tuple, list)):
            if len(ax1) != len(ax2):
                raise TypeError(f"tensordot requires axes lists to have equal length, got "
                                f"{ax1} and {ax2}.")
            contract = (tuple(_canon(i, na, "tensordot") for i in ax1),
                        tuple(_canon(i, nb, "tensordot") for i in ax2))
        else:
            raise TypeError(f"tensordot requires both axes lists to be either ints, tuples or "
                            f"lists, got {ax1} and {ax2}")
    else:
        raise TypeError("tensordot axes argument must be an int, a pair of ints, or a pair of "
                        f"lists/tuples of ints; got {axes!r}")
    for i, j in zip(*contract):
        if _shape(a)[i] != _shape(b)[j]:
            raise TypeError(f"tensordot: shape mismatch along contracted axes: a{_shape(a)} "
                            f"axis {i} has size {_shape(a)[i]}, b{_shape(b)} axis {j} has "
                            f"size {_shape(b)[j]}")
    out = lax.dot_general(a, b, (contract, ((), ())), precision=precision,
                          preferred_element_type=dtype)
    return _finish(out, dtype, weak)


# ---------------------------------------------------------------------------
# einsum


def _parse_einsum(subscripts, operands):
    """-> (list of per-operand label strings, output label string), ellipses expanded."""
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, out = spec.split("->")
        explicit = True
    else:
        lhs, out, explicit = spec, None, False
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(inputs)} operands but "
                         f"{len(operands)} were given")
    used = set(c for c in spec if c.isalpha())
    spare = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in used]
    max_ell = 0
    expanded = []
    for term, x in zip(inputs, operands):
        for c in term.replace("...", ""):
            if not c.isalpha():
                raise ValueError(f"einsum: invalid subscript character {c!r} in {subscripts!r}")
        nd = _ndim(x)
        if "..." in term:
            n_ell = nd - (len(term) - 3)
            if n_ell < 0:
                raise ValueError(f"einsum: operand with subscripts {term!r} has rank {nd}")
            max_ell = max(max_ell, n_ell)
            expanded.append((term, n_ell))
        else:
            if len(term) != nd:
                raise ValueError(f"einsum: subscripts {term!r} have {len(term)} labels but the "
                                 f"operand has rank {nd} (shape {_shape(x)})")
            expanded.append((term, 0))
    ell = "".join(spare[:max_ell])
    terms = [t.replace("...", ell[max_ell - n:]) for t, n in expanded]
    if explicit:
        out = out.replace("...", ell)
        for c in out:
            if c not in "".join(terms):
                raise ValueError(f"einsum: output subscript {c!r} does not appear in the "
                                 f"inputs of {subscripts!r}")
        if len(set(out)) != len(out):
            raise ValueError(f"einsum: output subscript in {subscripts!r} appears more than "
                             f"once")
    else:
        counts = {}
        for t in terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    return terms, out


def _interleaved_to_spec(args):
    """einsum(op0, sublist0, op1, sublist1, ..., [out_sublist]) -> (spec string, operands)."""
    args = list(args)
    out = args.pop() if len(args) % 2 == 1 else None
    operands, subs = args[0::2], args[1::2]
    letters = string.ascii_letters

    def to_str(sub):
        return "".join("..." if s is Ellipsis else letters[operator.index(s)] for s in sub)
    spec = ",".join(to_str(s) for s in subs) + ("" if out is None else "->" + to_str(out))
    return spec, operands


def einsum(subscripts, /, *operands, out=None, optimize="auto", precision=None,
           preferred_element_type=None):
    """Einstein summation (``numpy.einsum``), lowered to ``dot_general`` contractions.

    Supports explicit (``"ij,jk->ik"``) and implicit (``"ij,jk"``) outputs,
    ``...`` for broadcast dimensions, repeated labels within an operand
    (diagonals, e.g. ``"ii->i"``, ``"ii"``) and the interleaved form
    ``einsum(a, [0, 1], b, [1, 2])``. Operands are contracted pairwise, the
    pair whose result is smallest first (``optimize`` is accepted and ignored).

    Example: ``jnp.einsum("bij,bjk->bik", x, y)`` is a batched matmul.
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.einsum is not supported.")
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved_to_spec((subscripts,) + operands)
    check_arraylike("einsum", *operands)
    terms, out_labels = _parse_einsum(subscripts, operands)
    dtype, weak = _result_type("einsum", operands, preferred_element_type)
    ops = [_as_array(x) for x in operands]
    sizes = _label_sizes(terms, ops)
    ops, terms = zip(*[_singletons(x, t, sizes) for x, t in zip(ops, terms)])
    ops, terms = list(ops), list(terms)
    for i in range(len(ops)):
        ops[i], terms[i] = _diagonals(ops[i], terms[i])
    for i in range(len(ops)):
        others = "".join(terms[:i] + terms[i + 1:]) + out_labels
        ops[i], terms[i] = _sum_unique(ops[i], terms[i], others)
    while len(ops) > 1:
        i, j = _pick_pair(terms, sizes, out_labels)
        rest = [t for k, t in enumerate(terms) if k not in (i, j)]
        x, t = _contract(ops[i], terms[i], ops[j], terms[j], "".join(rest) + out_labels,
                         precision, dtype)
        ops = [o for k, o in enumerate(ops) if k not in (i, j)] + [x]
        terms = rest + [t]
    (x,), (t,) = ops, terms
    x, t = _sum_unique(x, t, out_labels)
    x = lax.transpose(x, tuple(t.index(c) for c in out_labels))
    return _finish(x, dtype, weak)


def einsum_path(subscripts, *operands, optimize="greedy"):
    """The pairwise contraction order ``einsum`` uses, as ``(path, description)``."""
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved_to_spec((subscripts,) + operands)
    terms, out_labels = _parse_einsum(subscripts, operands)
    sizes = _label_sizes(terms, [_as_array(x) for x in operands])
    path, terms = [], list(terms)
    while len(terms) > 1:
        i, j = _pick_pair(terms, sizes, out_labels)
        path.append((i, j))
        rest = [t for k, t in enumerate(terms) if k not in (i, j)]
        keep = "".join(rest) + out_labels
        terms = rest + ["".join(dict.fromkeys(c for c in terms[i] + terms[j] if c in keep))]
    return ["einsum_path"] + path, f"greedy pairwise contraction to {out_labels!r}"


def _label_sizes(terms, ops):
    sizes = {}
    for t, x in zip(terms, ops):
        for c, d in zip(t, _shape(x)):
            if sizes.get(c, 1) not in (1, d) and d != 1:
                raise ValueError(f"einsum: size of label {c!r} differs between operands: "
                                 f"{sizes[c]} != {d}")
            if d != 1 or c not in sizes:
                sizes[c] = d
    return sizes


def _singletons(x, term, sizes):
    """Drop size-1 dims whose label has a larger size elsewhere (they broadcast)."""
    drop = [i for i, c in enumerate(term) if _shape(x)[i] == 1 and sizes[c] != 1]
    return _squeeze(x, drop), "".join(c for i, c in enumerate(term) if i not in drop)


def _reduce_sum(x, axes):
    if not axes:
        return x
    if get_aval(x).dtype == np.bool_:
        return lax.reduce_or(x, axes)
    return lax.reduce_sum(x, axes)


def _diagonals(x, term):
    """Labels repeated within one operand take the diagonal (a mask then a sum, exact)."""
    for c in dict.fromkeys(term):
        axes = [i for i, l in enumerate(term) if l == c]
        if len(axes) < 2:
            continue
        shape = _shape(x)
        idx_dtype = dtypes.default_int()
        first = lax.broadcasted_iota(idx_dtype, shape, axes[0])
        mask = None
        for ax in axes[1:]:
            eq = lax.eq(first, lax.broadcasted_iota(idx_dtype, shape, ax))
            mask = eq if mask is None else lax.bitwise_and(mask, eq)
        zeros = lax.broadcast_in_dim(np.zeros((), get_aval(x).dtype), shape, ())
        x = lax.select(mask, x, zeros)
        x = _reduce_sum(x, tuple(axes[1:]))
        term = "".join(l for i, l in enumerate(term) if i not in axes[1:])
    return x, term


def _sum_unique(x, term, others):
    axes = tuple(i for i, c in enumerate(term) if c not in others)
    return _reduce_sum(x, axes), "".join(c for c in term if c in others)


def _pick_pair(terms, sizes, out_labels):
    """The pair of operands whose contraction result is smallest (greedy order)."""
    if len(terms) == 2:
        return 0, 1
    best = None
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            rest = "".join(t for k, t in enumerate(terms) if k not in (i, j))
            labels = set(terms[i]) | set(terms[j])
            out = [c for c in labels if c in rest or c in out_labels]
            cost = math.prod(sizes[c] for c in out) if out else 1
            if best is None or cost < best[0]:
                best = (cost, i, j)
    return best[1], best[2]


def _contract(x, tx, y, ty, keep, precision, dtype):
    """One pairwise contraction with dot_general; returns (result, its labels)."""
    x, tx = _sum_unique(x, tx, ty + keep)
    y, ty = _sum_unique(y, ty, tx + keep)
    shared = [c for c in tx if c in ty]
    batch = [c for c in shared if c in keep]
    contract = [c for c in shared if c not in keep]
    dims = ((tuple(tx.index(c) for c in contract), tuple(ty.index(c) for c in contract)),
            (tuple(tx.index(c) for c in batch), tuple(ty.index(c) for c in batch)))
    out = lax.dot_general(x, y, dims, precision=precision, preferred_element_type=dtype)
    labels = "".join(batch) + "".join(c for c in tx if c not in shared) + \
        "".join(c for c in ty if c not in shared)
    return out, labels


# ---------------------------------------------------------------------------
# kron, trace


def kron(a, b):
    """Kronecker product: block ``(i, j)`` of the result is ``a[i, j] * b``."""
    check_arraylike("kron", a, b)
    a, b = promote_dtypes(a, b)
    a, b = _as_array(a), _as_array(b)
    na, nb = _ndim(a), _ndim(b)
    if na < nb:
        a = lax.reshape(a, (1,) * (nb - na) + _shape(a))
    elif nb < na:
        b = lax.reshape(b, (1,) * (na - nb) + _shape(b))
    sa, sb = _shape(a), _shape(b)
    n = len(sa)
    inter = tuple(d for pair in zip(sa, sb) for d in pair)
    a2 = lax.broadcast_in_dim(a, inter, tuple(range(0, 2 * n, 2)))
    b2 = lax.broadcast_in_dim(b, inter, tuple(range(1, 2 * n, 2)))
    return lax.reshape(lax.mul(a2, b2), tuple(x * y for x, y in zip(sa, sb)))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Sum along a diagonal (``numpy.trace``); dtype rules as ``jnp.sum``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.trace is not supported.")
    check_arraylike("trace", a)
    a = _as_array(a)
    shape = _shape(a)
    if len(shape) < 2:
        raise ValueError(f"trace requires an array of rank >= 2, got shape {shape}")
    ax1, ax2 = _canon(axis1, len(shape), "trace"), _canon(axis2, len(shape), "trace")
    if ax1 == ax2:
        raise ValueError(f"trace: axis1 and axis2 must differ, got {axis1} and {axis2}")
    idx = dtypes.default_int()
    rows = lax.broadcasted_iota(idx, shape, ax1)
    cols = lax.broadcasted_iota(idx, shape, ax2)
    if offset:
        rows = lax.add(rows, lax.broadcast_in_dim(np.array(operator.index(offset), idx),
                                                  shape, ()))
    on_diag = lax.eq(rows, cols)
    zeros = lax.broadcast_in_dim(np.zeros((), get_aval(a).dtype), shape, ())
    return _sum(lax.select(on_diag, a, zeros), axis=(ax1, ax2), dtype=dtype)
