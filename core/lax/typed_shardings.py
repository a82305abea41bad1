"""Sharding rules: what a primitive's result sharding is when its operands' types
carry shardings (a mesh with ``Explicit`` axes), as JAX 0.10's rules say.

Each family registers these beside its primitives (``core.sharding_rules``); a
rule gets the input avals and the output avals the shape rule made, and returns
the outputs with their shardings. A result JAX refuses to guess is JAX's
``ShardingTypeError``, naming what to pass instead. A type's sharding is a
``NamedSharding`` over the abstract mesh with one spec entry per dimension
(an axis name, a tuple of names, or None).
"""
from ..errors import ShardingTypeError
from ..sharding import NamedSharding, PartitionSpec


def _entries(aval):
    """The spec of ``aval``'s type, one entry per dimension (all None: unsharded)."""
    if aval.sharding is None:
        return [None] * aval.ndim
    return list(aval.sharding.spec._padded(aval.ndim))


def _mesh(avals):
    for a in avals:
        if getattr(a, "sharding", None) is not None:
            return a.sharding.mesh
    return None


def typed(aval, entries, mesh):
    """``aval`` with the sharding ``entries`` (None when nothing is split)."""
    if mesh is None or all(e is None for e in entries):
        return aval.update(sharding=None)
    _check_no_repeats(aval, entries)
    return aval.update(sharding=NamedSharding(mesh, PartitionSpec(*entries)))


def _names(entry):
    return () if entry is None else entry if isinstance(entry, tuple) else (entry,)


def _check_no_repeats(aval, entries):
    seen = [n for e in entries for n in _names(e)]
    if len(seen) != len(set(seen)):
        raise ShardingTypeError(f"a result of type {aval.str_short()} would be split over a "
                                f"mesh axis twice: {tuple(entries)}")


# --- the rules ----------------------------------------------------------------------------

def elementwise(name):
    """Operands of one shape: each dimension is split as every operand that splits it
    says (they must agree); scalars and size-1 dimensions do not count."""
    def rule(avals, outs, **_):
        mesh = _mesh(avals)
        shaped = [a for a in avals if a.ndim]
        if not shaped:
            return outs
        ndim = shaped[0].ndim
        merged = [None] * ndim
        for a in shaped:
            for d, e in enumerate(_entries(a)):
                if e is None or a.shape[d] == 1:
                    continue
                if merged[d] is not None and merged[d] != e:
                    specs = ", ".join(str(tuple(_entries(b))) for b in shaped)
                    raise ShardingTypeError(f"{name} got incompatible shardings for "
                                            f"broadcasting: {specs}.")
                merged[d] = e
        return [typed(o, merged, mesh) if o.ndim == ndim else o for o in outs]
    return rule


def same_as_operand(avals, outs, **_):
    """The result is laid out as operand 0 (unary ops, cumulative reductions...)."""
    mesh, entries = _mesh(avals), _entries(avals[0])
    return [typed(o, entries, mesh) if o.shape == avals[0].shape else o for o in outs]


def reduction(avals, outs, *, axes, **_):
    """The reduced dimensions go; the others keep their split."""
    entries = [e for d, e in enumerate(_entries(avals[0])) if d not in axes]
    return [typed(outs[0], entries, _mesh(avals))]


def broadcast_in_dim(avals, outs, *, shape, broadcast_dimensions, **_):
    entries = [None] * len(shape)
    x = avals[0]
    for e, d, size in zip(_entries(x), broadcast_dimensions, x.shape):
        entries[d] = e if size == shape[d] else None
    return [typed(outs[0], entries, _mesh(avals))]


def transpose(avals, outs, *, permutation):
    entries = _entries(avals[0])
    return [typed(outs[0], [entries[p] for p in permutation], _mesh(avals))]


def squeeze(avals, outs, *, dimensions):
    entries = [e for d, e in enumerate(_entries(avals[0])) if d not in dimensions]
    return [typed(outs[0], entries, _mesh(avals))]


def reshape(avals, outs, *, new_sizes, **_):
    """Size-1 dimensions come and go freely; a split dimension may absorb unsplit minor
    dimensions (8@x,2 -> 16@x) or stay as it is; anything else is ambiguous."""
    x = avals[0]
    entries = _entries(x)
    out = []
    i, j = 0, 0
    old, new = list(x.shape), list(new_sizes)
    while j < len(new):
        if new[j] == 1 and (i >= len(old) or old[i] != 1):
            out.append(None)
            j += 1
            continue
        if i < len(old) and old[i] == 1 and new[j] != 1:
            i += 1
            continue
        group_old, group_new = [i], [j]
        a, b = old[i], new[j]
        while a != b:
            if a < b:
                i += 1
                group_old.append(i)
                a *= old[i]
            else:
                j += 1
                group_new.append(j)
                b *= new[j]
        split = [entries[k] for k in group_old]
        if all(e is None for e in split):
            out += [None] * len(group_new)
        elif len(group_new) == 1 and all(e is None for e in split[1:]):
            out.append(split[0])   # the major dimension keeps its split
        else:
            raise ShardingTypeError(
                f"This reshape is not supported. Please specify the sharding of the output "
                f"via the `out_sharding` argument of glassbox.lax.reshape. Got operand "
                f"type: {x.str_short()}, new sizes: {tuple(new_sizes)}")
        i, j = i + 1, j + 1
    return [typed(outs[0], out, _mesh(avals))]


def concatenate(avals, outs, *, dimension):
    """The operands must split every other dimension alike; the joined one is whole."""
    merged = [None] * outs[0].ndim
    for a in avals:
        for d, e in enumerate(_entries(a)):
            if e is None:
                continue
            if d == dimension:
                raise ShardingTypeError(f"concatenate along dimension {dimension}, which "
                                        f"{a.str_short()} splits over {e!r}: reshard it first")
            if merged[d] is not None and merged[d] != e:
                raise ShardingTypeError(f"concatenate got incompatible shardings: "
                                        f"{', '.join(a.str_short() for a in avals)}")
            merged[d] = e
    return [typed(outs[0], merged, _mesh(avals))]


def slicing(avals, outs, **_):
    """Slices keep the split of the dimensions they leave whole."""
    x, out = avals[0], outs[0]
    entries = _entries(x)
    for d, (n, m) in enumerate(zip(x.shape, out.shape)):
        if entries[d] is not None and n != m:
            raise ShardingTypeError(
                f"slicing dimension {d} of {x.str_short()}, which is split over "
                f"{entries[d]!r}, is ambiguous: reshard it (glassbox.sharding.reshard) first")
    return [typed(out, entries, _mesh(avals))]


def dot_general(avals, outs, *, dimension_numbers, out_sharding=None, **_):
    """Batch dimensions (which must agree), then lhs's free, then rhs's free dimensions
    keep their splits; a split contraction is ambiguous (JAX's error) unless
    ``out_sharding`` says what the result is."""
    if out_sharding is not None:
        return [outs[0].update(sharding=out_sharding.type_for(outs[0].ndim))]
    lhs, rhs = avals[0], avals[1]
    (lc, rc), (lb, rb) = dimension_numbers
    le, re = _entries(lhs), _entries(rhs)
    lcs, rcs = tuple(le[d] for d in lc), tuple(re[d] for d in rc)
    if any(e is not None for e in lcs + rcs):
        raise ShardingTypeError(
            f"Contracting dimensions are sharded and it is ambiguous how the output should "
            f"be sharded. Please specify the output sharding via the `out_sharding` "
            f"parameter. Got lhs_contracting_spec={lcs} and rhs_contracting_spec={rcs}")
    batch = []
    for a, b in zip(lb, rb):
        if le[a] is not None and re[b] is not None and le[a] != re[b]:
            raise ShardingTypeError(f"dot_general batch dimensions are split differently: "
                                    f"{le[a]!r} and {re[b]!r}")
        batch.append(le[a] if le[a] is not None else re[b])
    free_l = [le[d] for d in range(lhs.ndim) if d not in lc and d not in lb]
    free_r = [re[d] for d in range(rhs.ndim) if d not in rc and d not in rb]
    entries = batch + free_l + free_r
    names = [n for e in entries for n in _names(e)]
    if len(names) != len(set(names)):
        out = outs[0].update(sharding=None)
        shown = ",".join(_show(n, e) for n, e in zip(out.shape, entries))
        raise ShardingTypeError(
            f"dot_general operation with inputs: {lhs.str_short()}, {rhs.str_short()} "
            f"produces an illegally sharded result: {_short_dtype(out)}[{shown}]")
    return [typed(outs[0], entries, _mesh(avals))]


def _show(size, entry):
    names = _names(entry)
    if not names:
        return str(size)
    return f"{size}@{names[0]}" if len(names) == 1 else f"{size}@({','.join(names)})"


def _short_dtype(aval):
    return aval.str_short().split("[", 1)[0]


def unsharded(avals, outs, **_):
    """Results that are never split (e.g. indices of a whole-array argmax)."""
    return [o.update(sharding=None) for o in outs]
