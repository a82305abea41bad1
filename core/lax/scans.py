"""``scan`` and ``map``: one primitive ``scan_p``.

``scan_p``'s operands are ``consts + init carry + xs``; its ``jaxpr`` maps
``(consts, carry, x slice) -> (new carry, y slice)``. Outputs are the final
carry and the stacked ``ys``. It lowers to a ``stablehlo.while`` loop that
slices ``xs`` and writes ``ys`` with dynamic slices (``unroll`` bodies per
trip), built as a jaxpr around ``while_loop`` and inlined.

Rules:
  jvp        the body is differentiated; which carry tangents are nonzero is
             found by a fixed point (a carry is nonzero if its init or the body
             makes it so).
  partial    reverse mode: a *known* scan computes the primal outputs and saves
  eval       residuals per iteration (stacked, like ys); residuals that do not
             change across iterations are computed once outside the loop. The
             tangent part is one scan on the tape that reads them.
  transpose  a scan in the other direction over the residuals, carrying the
             carry cotangents and accumulating those of loop-invariant inputs.
  batching   the body is batched; a carry that becomes batched in the body is
             batched from the start (fixed point). Batched xs/ys keep the scan
             axis first and the batch axis second.
"""
import operator
import weakref

import numpy as np

from .. import source_info
from ..interpreters import ad, batching
from ..config import config
from ..core import (ClosedJaxpr, Jaxpr, Primitive, abstract_eval_rules, eval_jaxpr, get_aval,
                     set_current_trace)
from ..interpreters.lowering import lowering_rules
from ..interpreters.tracing import trace_to_jaxpr
from ..tree_util import tree_flatten, tree_map, tree_unflatten, treedef_children
from .bitwise import lt
from .elementwise import add, mul, sub
from .shape import broadcast_in_dim, concatenate, expand_dims, reshape, squeeze
from .slicing import (dynamic_slice, dynamic_update_slice, index_in_dim, slice_in_dim)
from ..interpreters.ad import jvp_jaxpr, partial_eval_jaxpr, zeros_if_zero
from ..interpreters.batching import batch_jaxpr, move_to, vmap
from ..core import host_consts
from ._control_flow import (avals_of, cached, check_carry, depends_on, fun_name, permute,
                            promote_weak_carry, prune_outputs, same_type, trace_fun)

__all__ = ["scan", "map", "scan_p"]


# --- scan -----------------------------------------------------------------------

def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """Loop ``f`` over the leading axis of ``xs``, carrying state: one ``scan`` primitive.

    Semantics (for array ``xs`` and ``ys``)::

        def scan(f, init, xs, length=None):
            carry, ys = init, []
            for x in (xs if xs is not None else [None] * length):
                carry, y = f(carry, x)
                ys.append(y)
            return carry, np.stack(ys)

    ``init``, ``xs`` and the outputs may be pytrees. The carry must keep its
    structure, shapes and dtypes. Lowers to one ``stablehlo.while``;
    differentiable in forward and reverse mode and batchable.

    Args:
      f: ``(carry, x) -> (carry, y)``.
      init: initial carry.
      xs: values to scan over along their leading axis (or None with ``length``).
      length: the number of iterations (must match the leading axis of ``xs``).
      reverse: iterate from the end (``ys`` stay in input order).
      unroll: how many iterations each loop trip runs (True: all of them).

    Returns:
      ``(final carry, stacked ys)``.

    Example::

        def step(c, x):
            c = 0.9 * c + x
            return c, c
        final, history = lax.scan(step, 0.0, jnp.arange(5.0))
    """
    if not callable(f):
        raise TypeError("lax.scan: f argument should be a callable.")
    xs_flat, xs_tree = tree_flatten(xs)
    xs_avals = avals_of(xs_flat, "scan xs")
    for x, a in zip(xs_flat, xs_avals):
        if not a.shape:
            raise ValueError(f"scan got value with no leading axis to scan over: {x!r:.60}")
    lengths = [a.shape[0] for a in xs_avals]
    if length is not None:
        try:
            length = operator.index(length)
        except TypeError:
            raise TypeError(f"The `length` argument to `scan` expects a concrete `int` value, "
                            f"got {length!r}") from None
        if any(n != length for n in lengths):
            raise ValueError(f"scan got `length` argument of {length} which disagrees with "
                             f"leading axis sizes {lengths}.")
    elif len(set(lengths)) > 1:
        raise ValueError(f"scan got values with different leading axis sizes: "
                         f"{', '.join(str(n) for n in lengths)}.")   # (`map` is lax.map here)
    elif not lengths:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    else:
        length = lengths[0]
    if isinstance(unroll, bool):
        unroll = max(length, 1) if unroll else 1
    if operator.index(unroll) < 1:
        raise ValueError("`unroll` must be a `bool` or a positive `int`.")
    if config.disable_jit:
        return _scan_python(f, init, xs_flat, xs_tree, length, reverse)

    x_avals = [a.update(shape=a.shape[1:]) for a in xs_avals]
    init_flat, init_tree = tree_flatten(init)
    label = f"scan({fun_name(f)})"

    def trace(init_flat):
        carry_avals = avals_of(init_flat, "scan init")
        in_tree = tree_flatten((tree_unflatten(init_tree, init_flat), xs))[1]
        jaxpr, consts, out_tree = trace_fun(f, in_tree, carry_avals + x_avals, label,
                                            "scan body")
        children = treedef_children(out_tree) if out_tree.node_type in (tuple, list) else []
        if len(children) != 2:
            raise TypeError(f"scan body output must be a pair (carry, y), got "
                            f"{tree_unflatten(out_tree, jaxpr.out_avals)}")
        return carry_avals, jaxpr, consts, out_tree, children[0]
    carry_avals, jaxpr, consts, out_tree, carry_tree = trace(init_flat)
    n = len(init_flat)
    init_flat, changed = promote_weak_carry(init_flat, carry_avals, jaxpr.out_avals[:n])
    if changed:
        carry_avals, jaxpr, consts, out_tree, carry_tree = trace(init_flat)
    check_carry("scan body", f, init_tree, carry_avals, carry_tree, jaxpr.out_avals[:n])
    outs = scan_p.bind(*consts, *init_flat, *xs_flat, jaxpr=jaxpr, length=length,
                       reverse=bool(reverse), unroll=int(unroll), num_consts=len(consts),
                       num_carry=n)
    return tree_unflatten(out_tree, outs)


def _scan_python(f, init, xs_flat, xs_tree, length, reverse):
    """``disable_jit``: the loop in Python, one iteration at a time."""
    if length == 0:
        raise ValueError("zero-length scan is not supported in disable_jit() mode because "
                         "the output type is unknown.")
    carry, ys = init, []
    order = range(length - 1, -1, -1) if reverse else range(length)
    for i in order:
        x = tree_unflatten(xs_tree, [squeeze(index_in_dim(x, i), (0,)) for x in xs_flat])
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, tree_map(lambda *y: concatenate([expand_dims(v, (0,)) for v in y], 0), *ys)


scan_p = Primitive("scan", multiple_results=True)


def _split(xs, num_consts, num_carry):
    return list(xs[:num_consts]), list(xs[num_consts:num_consts + num_carry]), \
        list(xs[num_consts + num_carry:])


def _scan_abstract_eval(*avals, jaxpr, length, reverse, unroll, num_consts, num_carry):
    in_avals = jaxpr.in_avals
    if len(avals) != len(in_avals):
        raise TypeError(f"scan: the body takes {len(in_avals)} inputs but {len(avals)} "
                        f"operands were given")
    consts, carry, xs = _split(avals, num_consts, num_carry)
    _, carry_in, x_avals = _split(in_avals, num_consts, num_carry)
    for i, (a, b) in enumerate(zip(avals[:num_consts + num_carry], in_avals)):
        if not same_type(a, b):
            raise TypeError(f"scan: operand {i} is {a.str_short()} but the body takes "
                            f"{b.str_short()}")
    for i, (a, b) in enumerate(zip(xs, x_avals)):
        if a.shape != (length,) + b.shape or a.dtype != b.dtype:
            raise TypeError(f"scan: xs operand {i} is {a.str_short()} but the body takes "
                            f"slices {b.str_short()} over length {length}")
    carry_out = jaxpr.out_avals[:num_carry]
    for i, (a, b) in enumerate(zip(carry_in, carry_out)):
        if not same_type(a, b):
            raise TypeError(f"scan: carry {i} enters the body as {a.str_short()} but leaves "
                            f"it as {b.str_short()}")
    ys = [y.update(shape=(length,) + y.shape) for y in jaxpr.out_avals[num_carry:]]
    return list(carry_out) + ys


def _scan_impl_fun(*args, jaxpr, length, reverse, unroll, num_consts, num_carry):
    """scan as ``while_loop`` + dynamic slices: what the lowering inlines."""
    consts, carry, xs = _split(args, num_consts, num_carry)
    y_avals = jaxpr.out_avals[num_carry:]
    ys = [broadcast_in_dim(np.zeros((), y.dtype), (length,) + y.shape, ()) for y in y_avals]

    def step(i, carry, ys):
        """Iteration ``i`` (Python int or int32 tracer) of the forward order."""
        idx = (length - 1 - i) if type(i) is int and reverse else \
            (sub(np.int32(length - 1), i) if reverse else i)
        x = [reshape(dynamic_slice(x, [idx] + [0] * (x.ndim - 1), (1,) + x.shape[1:],
                                   allow_negative_indices=False), x.shape[1:]) for x in xs]
        outs = eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *consts, *carry, *x)
        carry, y = outs[:num_carry], outs[num_carry:]
        ys = [dynamic_update_slice(buf, expand_dims(v, (0,)).astype(buf.dtype),
                                   [idx] + [0] * (buf.ndim - 1), allow_negative_indices=False)
              for buf, v in zip(ys, y)]
        return carry, ys

    trips, rest = divmod(length, unroll)
    if unroll != 1 and trips == 1 and rest == 0:
        trips, rest = 0, length   # fully unrolled: no loop at all
    if trips:
        def cond_fun(state):
            return lt(state[0], np.int32(trips))

        def body_fun(state):
            i, carry, ys = state
            for k in range(unroll):
                carry, ys = step(add(mul(i, np.int32(unroll)), np.int32(k)), carry, ys)
            return add(i, np.int32(1)), carry, ys
        _, carry, ys = while_loop(cond_fun, body_fun, (np.int32(0), carry, ys))
    for k in range(rest):
        carry, ys = step(trips * unroll + k, carry, ys)
    return list(carry) + list(ys)


def _scan_lowering(ctx, *args, **params):
    with source_info.extend_name_stack("scan"):
        closed = trace_to_jaxpr(lambda *a: _scan_impl_fun(*a, **params), list(ctx.avals_in),
                                "scan")
    return ctx.lower_jaxpr(closed.jaxpr, closed.consts, list(args))


def _scan_jvp(primals, tangents, *, jaxpr, length, reverse, unroll, num_consts, num_carry):
    nz = [not ad.is_zero(t) for t in tangents]
    const_nz, init_nz, xs_nz = _split(nz, num_consts, num_carry)
    num_ys = len(jaxpr.out_avals) - num_carry
    carry_nz = init_nz
    for _ in range(num_carry + 1):   # fixed point: at most one new nonzero carry per round
        jvp, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz,
                                carry_nz + [False] * num_ys)
        new = [a or b for a, b in zip(carry_nz, out_nz[:num_carry])]
        if new == carry_nz:
            break
        carry_nz = new
    nz = const_nz + carry_nz + xs_nz
    in_avals = jaxpr.in_avals
    tangents = [ad.instantiate(t) if ad.is_zero(t) and z and ad.tangent_aval(a) else t
                for t, z, a in zip(tangents, nz, in_avals)]
    nz = [z and ad.tangent_aval(a) is not None for z, a in zip(nz, in_avals)]
    const_nz, carry_nz, xs_nz = _split(nz, num_consts, num_carry)
    # jvp's inputs are [primals..., nonzero tangents...]; scan wants each group's
    # tangents right after its primals.
    n_in = len(in_avals)
    t_pos = iter(range(n_in, n_in + sum(nz)))
    t_index = [next(t_pos) if z else None for z in nz]
    groups = [range(0, num_consts), range(num_consts, num_consts + num_carry),
              range(num_consts + num_carry, n_in)]
    in_order = []
    for g in groups:
        in_order += list(g) + [t_index[i] for i in g if nz[i]]
    n_out = len(jaxpr.out_avals)
    out_t = iter(range(n_out, n_out + sum(out_nz)))
    out_t_index = [next(out_t) if z else None for z in out_nz]
    out_order = (list(range(num_carry)) + [out_t_index[i] for i in range(num_carry) if out_nz[i]]
                 + list(range(num_carry, n_out))
                 + [out_t_index[i] for i in range(num_carry, n_out) if out_nz[i]])
    jvp = cached(("scan_jvp_perm", jvp, tuple(in_order), tuple(out_order)),
                 lambda: permute(jvp, in_order, out_order))
    consts, init, xs = _split(primals, num_consts, num_carry)
    consts_dot, init_dot, xs_dot = [[t for t, z in zip(ts, zs) if z] for ts, zs in
                                    zip(_split(tangents, num_consts, num_carry),
                                        (const_nz, carry_nz, xs_nz))]
    outs = scan_p.bind(*consts, *consts_dot, *init, *init_dot, *xs, *xs_dot, jaxpr=jvp,
                       length=length, reverse=reverse, unroll=unroll,
                       num_consts=num_consts + len(consts_dot),
                       num_carry=num_carry + len(init_dot))
    n_cdot = sum(carry_nz)
    carry, carry_dot = outs[:num_carry], outs[num_carry:num_carry + n_cdot]
    ys, ys_dot = outs[num_carry + n_cdot:num_carry + n_cdot + num_ys], \
        outs[num_carry + n_cdot + num_ys:]
    primals_out = carry + ys
    dots = iter(carry_dot + ys_dot)
    return primals_out, [next(dots) if z else ad.Zero(ad.tangent_aval(get_aval(p))
                                                      or get_aval(p))
                         for z, p in zip(out_nz, primals_out)]


def _scan_partial_eval_jaxprs(jaxpr, num_consts, num_carry, unknowns):
    """Split the body for known/unknown inputs (fixed point over the carry), cached.

    Returns ``(known, unknown, carry_uk, out_uk, num_res, invariant_res)``; the
    known body outputs ``known outs + residuals``, the unknown body takes
    ``[invariant residuals, unknown consts] [unknown carry] [unknown xs,
    stacked residuals]``. ``invariant_res`` is None or a jaxpr computing the
    loop-invariant residuals from the known consts once, outside the loop.
    """
    def build():
        const_uk, init_uk, xs_uk = _split(unknowns, num_consts, num_carry)
        num_ys = len(jaxpr.out_avals) - num_carry
        carry_uk = init_uk
        for _ in range(num_carry + 1):
            known, unknown, out_uk, num_res = partial_eval_jaxpr(
                jaxpr, const_uk + carry_uk + xs_uk, carry_uk + [False] * num_ys)
            new = [a or b for a, b in zip(carry_uk, out_uk[:num_carry])]
            if new == carry_uk:
                break
            carry_uk = new
        n_known_out = len(known.out_avals) - num_res
        n_kc = num_consts - sum(const_uk)
        # residuals that only depend on known consts are loop invariant
        depends = depends_on(known.jaxpr, [i >= n_kc for i in range(len(known.in_avals))])
        invariant = [not d for d in depends[n_known_out:]]
        inv_jaxpr = None
        if any(invariant):
            inv = prune_outputs(known, [False] * n_known_out + invariant)
            inv_jaxpr = cached(("scan_inv", inv, n_kc), lambda: _first_inputs(inv, n_kc))
            known = prune_outputs(known, [True] * n_known_out + [not v for v in invariant])
        n_uk_consts, n_uk_carry = sum(const_uk), sum(carry_uk)
        n_uk_xs = sum(xs_uk)
        res_idx = list(range(num_res))
        inv_idx = [i for i in res_idx if invariant[i]]
        ext_idx = [i for i in res_idx if not invariant[i]]
        base = num_res
        order = (inv_idx + list(range(base, base + n_uk_consts))
                 + list(range(base + n_uk_consts, base + n_uk_consts + n_uk_carry))
                 + list(range(base + n_uk_consts + n_uk_carry,
                              base + n_uk_consts + n_uk_carry + n_uk_xs)) + ext_idx)
        unknown = permute(unknown, order)
        return known, unknown, carry_uk, out_uk, len(inv_idx), len(ext_idx), inv_jaxpr
    return cached(("scan_pe", jaxpr, num_consts, num_carry, tuple(unknowns)), build)


def _first_inputs(closed, n):
    """``closed`` restricted to its first ``n`` inputs (the others must be unused)."""
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr(j.constvars, j.invars[:n], j.outvars, j.eqns, j.name),
                       closed.consts)


def _scan_partial_eval(trace, args, params):
    """Known outputs and stacked residuals compute now; the tangent part is one scan."""
    jaxpr, num_consts, num_carry = params["jaxpr"], params["num_consts"], params["num_carry"]
    unknowns = [trace.is_unknown(a) for a in args]
    known, unknown, carry_uk, out_uk, n_inv, n_ext, inv_jaxpr = _scan_partial_eval_jaxprs(
        jaxpr, num_consts, num_carry, unknowns)
    consts, init, xs = _split(args, num_consts, num_carry)
    const_uk, _, xs_uk = _split(unknowns, num_consts, num_carry)
    k_consts = [c for c, uk in zip(consts, const_uk) if not uk]
    k_init = [c for c, uk in zip(init, carry_uk) if not uk]
    k_xs = [x for x, uk in zip(xs, xs_uk) if not uk]
    with set_current_trace(trace.parent):
        inv_res = eval_jaxpr(inv_jaxpr.jaxpr, inv_jaxpr.consts, *k_consts) if n_inv else []
        known_outs = scan_p.bind(*k_consts, *k_init, *k_xs, **dict(
            params, jaxpr=known, num_consts=len(k_consts), num_carry=len(k_init))) \
            if known.out_avals else []
    n_known = len(known_outs) - n_ext
    ext_res = known_outs[n_known:]
    u_args = (list(inv_res) + [c for c, uk in zip(consts, const_uk) if uk]
              + [c for c, uk in zip(init, carry_uk) if uk]
              + [x for x, uk in zip(xs, xs_uk) if uk] + list(ext_res))
    u_outs = trace.tape.process_primitive(scan_p, u_args, dict(
        params, jaxpr=unknown, num_consts=n_inv + sum(const_uk), num_carry=sum(carry_uk)))
    k, u = iter(known_outs[:n_known]), iter(u_outs)
    return [next(u) if uk else next(k) for uk in out_uk]


def _transpose_body(jaxpr, num_consts, num_carry, const_lin, xs_lin, ct_ys_zero):
    """The body of the transposed scan, cached.

    Takes ``[residual consts] [ct of linear consts, ct carry] [ct ys (nonzero),
    residual xs]`` and returns ``[ct consts + its share, ct carry in] [ct of
    linear xs]``.
    """
    def build():
        in_avals = jaxpr.in_avals
        c_avals, carry_avals, x_avals = _split(in_avals, num_consts, num_carry)
        res_c = [a for a, lin in zip(c_avals, const_lin) if not lin]
        lin_c = [a.strip_weak_type() for a, lin in zip(c_avals, const_lin) if lin]
        res_x = [a for a, lin in zip(x_avals, xs_lin) if not lin]
        lin_x = [a.strip_weak_type() for a, lin in zip(x_avals, xs_lin) if lin]
        y_avals = jaxpr.out_avals[num_carry:]
        carry_ct_avals = [a.strip_weak_type() for a in jaxpr.out_avals[:num_carry]]
        ct_y_avals = [a.strip_weak_type() for a, z in zip(y_avals, ct_ys_zero) if not z]

        def body(*args):
            it = iter(args)
            take = lambda avals: [next(it) for _ in avals]  # noqa: E731
            rc, acc, ct_carry, ct_y, rx = (take(res_c), take(lin_c), take(carry_ct_avals),
                                           take(ct_y_avals), take(res_x))
            rc_it, rx_it, cy = iter(rc), iter(rx), iter(ct_y)
            full = ([ad.UndefinedPrimal(a) if lin else next(rc_it)
                     for a, lin in zip(c_avals, const_lin)]
                    + [ad.UndefinedPrimal(a) for a in carry_avals]
                    + [ad.UndefinedPrimal(a) if lin else next(rx_it)
                       for a, lin in zip(x_avals, xs_lin)])
            cts_out = ct_carry + [ad.Zero(a.strip_weak_type()) if z else next(cy)
                                  for a, z in zip(y_avals, ct_ys_zero)]
            cts = ad.backward_pass(jaxpr.jaxpr, jaxpr.consts, full, cts_out)
            n_lc = len(lin_c)
            ct_c, ct_carry_in, ct_x = cts[:n_lc], cts[n_lc:n_lc + num_carry], \
                cts[n_lc + num_carry:]
            acc = [a if ad.is_zero(c) else ad.add_tangents(a, c) for a, c in zip(acc, ct_c)]
            return (acc + [zeros_if_zero(c, a) for c, a in zip(ct_carry_in, carry_avals)]
                    + [zeros_if_zero(c, a) for c, a in zip(ct_x, lin_x)])
        with source_info.reset_name_stack(("transpose",)):
            closed = trace_to_jaxpr(body, res_c + lin_c + carry_ct_avals + ct_y_avals + res_x,
                                    jaxpr.jaxpr.name)
        return host_consts(closed), len(res_c), len(lin_c)
    return cached(("scan_T", jaxpr, num_consts, num_carry, tuple(const_lin), tuple(xs_lin),
                   tuple(ct_ys_zero)), build)


def _scan_transpose(cts, *args, jaxpr, length, reverse, unroll, num_consts, num_carry):
    consts, init, xs = _split(args, num_consts, num_carry)
    const_lin = [ad.is_undefined(c) for c in consts]
    xs_lin = [ad.is_undefined(x) for x in xs]
    ct_carry, ct_ys = list(cts[:num_carry]), list(cts[num_carry:])
    out_avals = jaxpr.out_avals
    ct_carry = [zeros_if_zero(c, a) for c, a in zip(ct_carry, out_avals[:num_carry])]
    ct_ys_zero = [c is None or ad.is_zero(c) for c in ct_ys]
    body, n_res_c, n_lin_c = _transpose_body(jaxpr, num_consts, num_carry, const_lin, xs_lin,
                                             ct_ys_zero)
    res_c = [c for c, lin in zip(consts, const_lin) if not lin]
    lin_c_avals = [c.aval for c, lin in zip(consts, const_lin) if lin]
    acc0 = [ad.zeros_like_aval(a.strip_weak_type()) for a in lin_c_avals]
    res_x = [x for x, lin in zip(xs, xs_lin) if not lin]
    outs = scan_p.bind(*res_c, *acc0, *ct_carry, *[c for c, z in zip(ct_ys, ct_ys_zero) if not z],
                       *res_x, jaxpr=body, length=length, reverse=not reverse, unroll=unroll,
                       num_consts=n_res_c, num_carry=n_lin_c + num_carry)
    ct_consts, ct_init, ct_xs = (iter(outs[:n_lin_c]), outs[n_lin_c:n_lin_c + num_carry],
                                 iter(outs[n_lin_c + num_carry:]))
    return ([next(ct_consts) if lin else None for lin in const_lin]
            + [c if ad.is_undefined(x) else None for c, x in zip(ct_init, init)]
            + [next(ct_xs) if lin else None for lin in xs_lin])


def _scan_batch(axis_data, args, dims, *, jaxpr, length, reverse, unroll, num_consts, num_carry):
    size, name = axis_data.size, axis_data.name
    const_dims, init_dims, xs_dims = _split(dims, num_consts, num_carry)
    num_ys = len(jaxpr.out_avals) - num_carry
    const_in = [0 if d is not None else None for d in const_dims]
    xs_in = [0 if d is not None else None for d in xs_dims]   # inside the body: per slice
    carry_bat = [d is not None for d in init_dims]
    for _ in range(num_carry + 1):
        batched, out_bat = batch_jaxpr(jaxpr, size, name,
                                       const_in + [0 if b else None for b in carry_bat] + xs_in,
                                       carry_bat + [False] * num_ys)
        new = [a or b for a, b in zip(carry_bat, out_bat[:num_carry])]
        if new == carry_bat:
            break
        carry_bat = new
    consts, init, xs = _split(args, num_consts, num_carry)
    consts = [move_to(c, d, 0, size) if d is not None else c for c, d in zip(consts, const_dims)]
    init = [move_to(c, d, 0, size) if b else c for c, d, b in zip(init, init_dims, carry_bat)]
    xs = [move_to(x, d, 1, size) if d is not None else x for x, d in zip(xs, xs_dims)]
    outs = scan_p.bind(*consts, *init, *xs, jaxpr=batched, length=length, reverse=reverse,
                       unroll=unroll, num_consts=num_consts, num_carry=num_carry)
    return outs, ([0 if b else None for b in carry_bat]
                  + [1 if b else None for b in out_bat[num_carry:]])


abstract_eval_rules[scan_p] = _scan_abstract_eval
lowering_rules[scan_p] = _scan_lowering
ad.jvp_rules[scan_p] = _scan_jvp
ad.partial_eval_rules[scan_p] = _scan_partial_eval
ad.transpose_rules[scan_p] = _scan_transpose
batching.batch_rules[scan_p] = _scan_batch
batching.always_batch.add(scan_p)


# --- map ------------------------------------------------------------------------

_map_bodies = weakref.WeakKeyDictionary()


def _map_body(f):
    """``(carry, x) -> (carry, f(x))``, one per ``f`` so scan's trace cache can hit.

    The body reaches ``f`` through a weak reference where it can: it is the value of a
    dict weakly keyed on ``f``, and a strong one would keep both alive forever.
    """
    try:
        return _map_bodies[f]
    except (KeyError, TypeError):
        pass
    try:
        ref = weakref.ref(f)
    except TypeError:   # not weak-referenceable: not cached either
        ref = lambda: f  # noqa: E731

    def body(carry, x):
        return carry, ref()(x)
    body.__name__ = fun_name(f)
    try:
        _map_bodies[f] = body
    except TypeError:
        pass
    return body


def map(f, xs, *, batch_size=None):  # noqa: A001 (lax's name)
    """``f`` applied to each slice of ``xs`` along its leading axis, stacked: a ``scan``.

    With ``batch_size``, slices are processed ``batch_size`` at a time under
    ``vmap`` (the remainder in one more vmapped call).

    Example::

        lax.map(lambda row: jnp.sort(row)[-1], matrix)   # max of each row
    """
    if batch_size is not None:
        leaves, tree = tree_flatten(xs)
        n = get_aval(leaves[0]).shape[0]
        full = (n // batch_size) * batch_size
        batched = tree_unflatten(tree, [
            reshape(slice_in_dim(x, 0, full), (n // batch_size, batch_size) + x.shape[1:])
            for x in leaves])
        rest = tree_unflatten(tree, [slice_in_dim(x, full, n) for x in leaves])
        batched_f = vmap(f)   # held here: the body reaches it through a weak reference
        _, ys = scan(_map_body(batched_f), (), batched)
        ys = tree_map(lambda y: reshape(y, (full,) + y.shape[2:]), ys)
        if full == n:
            return ys
        return tree_map(lambda a, b: concatenate([a, b], 0), ys, batched_f(rest))
    _, ys = scan(_map_body(f), (), xs)
    return ys


# The lowering of scan inlines a while_loop; loops.py imports ``scan`` from this module,
# so it is imported last.
from .loops import while_loop  # noqa: E402
