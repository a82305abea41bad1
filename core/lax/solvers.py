"""Solvers with implicit derivatives: ``custom_linear_solve`` (the ``linear_solve``
primitive) and ``custom_root``.

Both take a user's *solver* (any algorithm: a factorization, CG, Newton's method) and
differentiate the *equation* it solves rather than the solver's steps, as JAX's
``jax/_src/lax/control_flow/solves.py`` does:

* ``x = custom_linear_solve(matvec, b, solve)`` solves ``matvec(x) = b``. Its
  derivative is another linear solve: ``x' = solve(b' - matvec'(x))``; in reverse
  mode the cotangent of ``b`` is ``transpose_solve(vecmat, ct)``, where ``vecmat`` is
  ``matvec`` transposed. So the solver is run, never traced through by autodiff.
* ``x = custom_root(f, guess, solve, tangent_solve)`` finds ``f(x) = 0``. By the
  implicit function theorem, ``x'`` solves ``(df/dx) x' = -(df/dparams) params'``,
  which ``tangent_solve`` does given the linearized ``f`` (it is a ``custom_jvp``
  whose rule calls ``tangent_solve``; make that a ``custom_linear_solve`` for reverse
  mode of iterative solvers).

Functions are traced into jaxprs once (``_control_flow.trace_fun``); values they close
over become leading operands, so derivatives with respect to them flow.
"""
import functools
from ..core import Primitive, abstract_eval_rules, eval_jaxpr, get_aval
from ..custom_derivatives import custom_jvp
from ..interpreters import ad, batching
from ..interpreters.ad import UndefinedPrimal
from ..interpreters.lowering import lowering_rules
from ..interpreters.tracing import trace_to_jaxpr
from ..tree_util import tree_flatten, tree_structure, tree_unflatten, treedef_children
from ._control_flow import avals_of, fun_name, same_type, trace_fun
from .elementwise import convert_element_type, neg, sub


def _check_tree(what, fun, got_tree, got_avals, want_tree, want_avals, want_name):
    if got_tree != want_tree:
        raise TypeError(f"{what} ({fun_name(fun)}) output pytree structure must match "
                        f"{want_name}, got {got_tree} and {want_tree}.")
    for g, w in zip(got_avals, want_avals):
        if not same_type(g, w):
            raise TypeError(f"{what} ({fun_name(fun)}) output shapes and dtypes must match "
                            f"{want_name}, got {g.str_short()} and {w.str_short()}.")


def _as_leaves(tree, value, avals, what):
    leaves, t = tree_flatten(value)
    if t != tree:
        raise TypeError(f"{what}: expected a value of structure {tree}, got {t}")
    return [convert_element_type(x, a.dtype) for x, a in zip(leaves, avals)]


# --- linear_solve ----------------------------------------------------------------

def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False,
                        has_aux=False):
    """Solve ``matvec(x) = b`` with ``solve(matvec, b)``, differentiated implicitly.

    Args:
      matvec: the linear map, ``x -> A x``, over pytrees shaped like ``b``.
      b: the right-hand side (a pytree of arrays).
      solve: ``solve(matvec, b) -> x`` with ``matvec(x) == b`` (any algorithm; it is
        run, not differentiated).
      transpose_solve: ``transpose_solve(vecmat, b) -> x`` solving the transposed
        system, needed for reverse-mode differentiation (unless ``symmetric``).
      symmetric: ``matvec`` is symmetric, so ``solve`` also solves the transpose.
      has_aux: ``solve`` returns ``(x, aux)``; ``aux`` is returned alongside ``x``
        (not differentiated).

    Returns ``x``, shaped like ``b`` (``(x, aux)`` with ``has_aux``). The operation is
    the ``linear_solve`` primitive; it lowers to ``solve``'s own operations, inline.
    """
    b_flat, tree = tree_flatten(b)
    args_tree = tree_structure((b,))
    b_avals = avals_of(b_flat, "custom_linear_solve b")
    b_avals = [a.strip_weak_type() for a in b_avals]
    b_flat = [convert_element_type(x, a.dtype) for x, a in zip(b_flat, b_avals)]

    matvec_jaxpr, matvec_consts, out_tree = trace_fun(
        matvec, args_tree, b_avals, f"custom_linear_solve({fun_name(matvec)})", "matvec")
    _check_tree("matvec", matvec, out_tree, matvec_jaxpr.out_avals, tree, b_avals, "b")

    def traced_solver(fn, linear_fn, name, aux):
        jaxpr, consts, out = trace_fun(functools.partial(fn, linear_fn), args_tree, b_avals,
                                       f"custom_linear_solve({fun_name(fn)})", name)
        n_out = len(b_avals)
        if aux:
            if len(treedef_children(out)) != 2 or treedef_children(out)[0] != tree:
                raise TypeError(f"{name} ({fun_name(fn)}) with has_aux=True must return "
                                f"(x, aux) with x shaped like b, got {out}")
            return jaxpr, consts, treedef_children(out)[1]
        _check_tree(name, fn, out, jaxpr.out_avals, tree, b_avals, "b")
        return jaxpr, consts, None

    solve_jaxpr, solve_consts, aux_tree = traced_solver(solve, matvec, "solve", has_aux)
    if transpose_solve is None and not symmetric:
        vecmat_jaxpr = tr_solve_jaxpr = None
        vecmat_consts = tr_solve_consts = []
    elif symmetric:
        vecmat_jaxpr, vecmat_consts = matvec_jaxpr, matvec_consts
        tr_solve_jaxpr, tr_solve_consts = solve_jaxpr, solve_consts
    else:
        vecmat_jaxpr = _transpose_linear_jaxpr(matvec_jaxpr, len(matvec_consts))
        vecmat_consts = matvec_consts

        def vecmat(y):
            leaves = _as_leaves(tree, y, b_avals, "vecmat")
            return tree_unflatten(tree, eval_jaxpr(vecmat_jaxpr.jaxpr, vecmat_jaxpr.consts,
                                                   *vecmat_consts, *leaves))
        tr_solve_jaxpr, tr_solve_consts, _ = traced_solver(transpose_solve, vecmat,
                                                           "transpose_solve", False)
    jaxprs = (matvec_jaxpr, vecmat_jaxpr, solve_jaxpr, tr_solve_jaxpr)
    consts = (matvec_consts, vecmat_consts, solve_consts, tr_solve_consts)
    outs = linear_solve_p.bind(*[c for cs in consts for c in cs], *b_flat, jaxprs=jaxprs,
                               const_counts=tuple(map(len, consts)))
    x = tree_unflatten(tree, outs[:len(b_flat)])
    if has_aux:
        return x, tree_unflatten(aux_tree, outs[len(b_flat):])
    return x


def _transpose_linear_jaxpr(closed, n_consts):
    """A jaxpr ``(consts..., ct...) -> x_ct...`` transposing the linear ``closed``
    (inputs ``consts..., x...``) in its non-const inputs."""
    in_avals = closed.in_avals

    def transposed(*args):
        consts, cts = args[:n_consts], args[n_consts:]
        primals = list(consts) + [UndefinedPrimal(a) for a in in_avals[n_consts:]]
        res = ad.backward_pass(closed.jaxpr, closed.consts, primals, list(cts))
        return [ad.instantiate(r) if not isinstance(r, ad.Zero) else ad.zeros_like_aval(a)
                for r, a in zip(res, in_avals[n_consts:])]
    return trace_to_jaxpr(transposed, list(in_avals[:n_consts]) + list(closed.out_avals),
                          "vecmat")


linear_solve_p = Primitive("linear_solve", multiple_results=True)


def _split(args, const_counts):
    groups, i = [], 0
    for n in const_counts:
        groups.append(list(args[i:i + n]))
        i += n
    return groups, list(args[i:])


def _linear_solve_abstract_eval(*avals, jaxprs, const_counts):
    _, b = _split(avals, const_counts)
    solve = jaxprs[2]
    x_avals = solve.out_avals[:len(b)]
    if not all(map(same_type, x_avals, b)):
        raise TypeError("linear_solve: solve's outputs "
                        f"({', '.join(a.str_short() for a in x_avals)}) do not match b "
                        f"({', '.join(a.str_short() for a in b)})")
    return list(solve.out_avals)


def _linear_solve_lowering(ctx, *args, jaxprs, const_counts):
    consts, b = _split(args, const_counts)
    solve = jaxprs[2]
    return ctx.lower_jaxpr(solve.jaxpr, solve.consts, consts[2] + b)


abstract_eval_rules[linear_solve_p] = _linear_solve_abstract_eval
lowering_rules[linear_solve_p] = _linear_solve_lowering


def _linear_solve_jvp(primals, tangents, *, jaxprs, const_counts):
    # A x = b  =>  A' x + A x' = b'  =>  x' = solve(b' - A' x): a linear solve again.
    consts, b = _split(primals, const_counts)
    consts_dot, b_dot = _split(tangents, const_counts)
    outs = linear_solve_p.bind(*primals, jaxprs=jaxprs, const_counts=const_counts)
    x, aux = outs[:len(b)], outs[len(b):]
    matvec = jaxprs[0]
    if all(ad.is_zero(t) for t in consts_dot[0]):
        rhs = [ad.instantiate(t) for t in b_dot]
    else:
        _, mv_dot = ad.jvp_flat(lambda *c: eval_jaxpr(matvec.jaxpr, matvec.consts, *c, *x),
                                consts[0], consts_dot[0])
        rhs = [ad.instantiate(t) if ad.is_zero(m) else
               neg(m) if ad.is_zero(t) else sub(t, m) for t, m in zip(b_dot, mv_dot)]
    x_dot = linear_solve_p.bind(*[c for cs in consts for c in cs], *rhs, jaxprs=jaxprs,
                                const_counts=const_counts)[:len(b)]
    return outs, list(x_dot) + [ad.zero_tangent(get_aval(a)) for a in aux]


def _linear_solve_transpose(cts, *args, jaxprs, const_counts):
    consts, b = _split(args, const_counts)
    if any(isinstance(c, UndefinedPrimal) for cs in consts for c in cs):
        raise NotImplementedError("linear_solve: transposing with respect to the matrix "
                                  "(a closed-over value of matvec or solve) is not supported; "
                                  "only with respect to b, as in JAX")
    if jaxprs[3] is None:
        raise TypeError("transpose_solve required for backwards mode automatic "
                        "differentiation of custom_linear_solve")
    cts = [ad.instantiate(ct) if ad.is_zero(ct) else ct for ct in cts[:len(b)]]
    swapped = (jaxprs[1], jaxprs[0], jaxprs[3], jaxprs[2])
    counts = (const_counts[1], const_counts[0], const_counts[3], const_counts[2])
    b_ct = linear_solve_p.bind(*consts[1], *consts[0], *consts[3], *consts[2], *cts,
                               jaxprs=swapped, const_counts=counts)[:len(b)]
    return [None] * sum(const_counts) + list(b_ct)


ad.jvp_rules[linear_solve_p] = _linear_solve_jvp
ad.transpose_rules[linear_solve_p] = _linear_solve_transpose


def _linear_solve_batch(axis_data, args, dims, *, jaxprs, const_counts):
    # Batch every body with its own consts' dims and x (or b) batched at 0; the
    # outputs are forced batched, so all four bodies agree on x being batched.
    size = axis_data.size
    args = [batching.moveaxis(a, d, 0) if d is not None else a for a, d in zip(args, dims)]
    dims = [0 if d is not None else None for d in dims]
    consts, b = _split(args, const_counts)
    const_dims, _ = _split(dims, const_counts)
    b_dims = dims[len(dims) - len(b):]
    b = [batching.broadcast_batched(x, size, 0) if d is None else x
         for x, d in zip(b, b_dims)]
    new = []
    for j, cd in zip(jaxprs, const_dims):
        if j is None:
            new.append(None)
            continue
        n_x = len(j.in_avals) - len(cd)
        batched, _ = batching.batch_jaxpr(j, size, axis_data.name, list(cd) + [0] * n_x,
                                          [True] * len(j.out_avals))
        new.append(batched)
    outs = linear_solve_p.bind(*[c for cs in consts for c in cs], *b, jaxprs=tuple(new),
                               const_counts=const_counts)
    return outs, [0] * len(outs)


batching.batch_rules[linear_solve_p] = _linear_solve_batch


# --- custom_root -----------------------------------------------------------------

def _linearize(f, tree, avals, x_leaves):
    """``f``'s linearization at ``x``: a function of a tangent pytree."""
    def flat_f(*leaves):
        out, out_tree = tree_flatten(f(tree_unflatten(tree, leaves)))
        return out
    _, linear, _, _ = ad.linearize_flat(flat_f, list(x_leaves))

    def f_jvp(t):
        leaves = _as_leaves(tree, t, avals, "custom_root: the linearized function's input")
        return tree_unflatten(tree, eval_jaxpr(linear.jaxpr, linear.consts, *leaves))
    return f_jvp


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """Find a root of ``f`` with ``solve``, differentiated by the implicit function theorem.

    Args:
      f: the function whose root is sought, ``x -> residual`` (same structure as ``x``).
      initial_guess: the starting point (a pytree of arrays).
      solve: ``solve(f, initial_guess) -> x`` with ``f(x) == 0`` (run, not
        differentiated).
      tangent_solve: ``tangent_solve(g, y) -> x`` solving the linear ``g(x) = y``, where
        ``g`` is ``f`` linearized at the root; for a scalar, ``lambda g, y: y / g(1.0)``.
        For reverse mode it must be linear in ``y`` (``custom_linear_solve`` makes an
        iterative one so).
      has_aux: ``solve`` returns ``(x, aux)``; ``aux`` is returned, not differentiated.

    Returns the root (``(root, aux)`` with ``has_aux``).
    """
    guess_flat, tree = tree_flatten(initial_guess)
    args_tree = tree_structure((initial_guess,))
    avals = [a.strip_weak_type() for a in avals_of(guess_flat, "custom_root initial_guess")]
    guess_flat = [convert_element_type(x, a.dtype) for x, a in zip(guess_flat, avals)]
    n = len(guess_flat)
    f_jaxpr, f_consts, f_tree = trace_fun(f, args_tree, avals, f"custom_root({fun_name(f)})",
                                          "custom_root f")
    _check_tree("f", f, f_tree, f_jaxpr.out_avals, tree, avals, "initial_guess")

    solve_jaxpr, solve_consts, sol_tree = trace_fun(
        functools.partial(solve, f), args_tree, avals, f"custom_root({fun_name(solve)})", "solve")
    if has_aux:
        if len(treedef_children(sol_tree)) != 2 or treedef_children(sol_tree)[0] != tree:
            raise TypeError(f"solve ({fun_name(solve)}) with has_aux=True must return "
                            f"(solution, aux) with the solution shaped like initial_guess, "
                            f"got {sol_tree}")
        aux_tree = treedef_children(sol_tree)[1]
    else:
        _check_tree("solve", solve, sol_tree, solve_jaxpr.out_avals, tree, avals,
                    "initial_guess")

    def linearize_and_solve(x, rhs):
        x_leaves = _as_leaves(tree, x, avals, "custom_root")
        return tangent_solve(_linearize(f, tree, avals, x_leaves), rhs)
    pair = tree_structure((tree_unflatten(tree, [0] * n),) * 2)
    ls_jaxpr, ls_consts, ls_tree = trace_fun(
        lambda x, rhs: linearize_and_solve(x, rhs), pair, avals + avals,
        f"custom_root({fun_name(tangent_solve)})", "tangent_solve")
    _check_tree("tangent_solve", tangent_solve, ls_tree, ls_jaxpr.out_avals, tree, avals,
                "initial_guess")
    counts = (len(f_consts), len(solve_consts), len(ls_consts))

    @custom_jvp
    def root(*args):
        (_, s_c, _), guess = _split(args, counts)
        return eval_jaxpr(solve_jaxpr.jaxpr, solve_jaxpr.consts, *s_c, *guess)

    @root.defjvp
    def root_jvp(primals, tangents):
        # f(p, x*(p)) = 0  =>  x*' = -(d_x f)^-1 (d_p f) p'
        (f_c, s_c, ls_c), _ = _split(primals, counts)
        (f_c_dot, _, _), _ = _split(tangents, counts)
        outs = eval_jaxpr(solve_jaxpr.jaxpr, solve_jaxpr.consts, *s_c, *primals[sum(counts):])
        sol = outs[:n]
        _, rhs = ad.jvp_flat(lambda *c: eval_jaxpr(f_jaxpr.jaxpr, f_jaxpr.consts, *c, *sol),
                             list(f_c), list(f_c_dot))
        rhs = [ad.instantiate(t) for t in rhs]
        sol_dot = eval_jaxpr(ls_jaxpr.jaxpr, ls_jaxpr.consts, *ls_c, *sol, *rhs)
        return outs, [neg(t) for t in sol_dot] + [
            ad.zeros_like_aval(ad.tangent_aval(get_aval(a)) or get_aval(a)) for a in outs[n:]]

    outs = root(*f_consts, *solve_consts, *ls_consts, *guess_flat)
    sol = tree_unflatten(tree, outs[:n])
    if has_aux:
        return sol, tree_unflatten(aux_tree, outs[n:])
    return sol


__all__ = ["custom_linear_solve", "linear_solve_p", "custom_root"]
