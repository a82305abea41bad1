"""Primitives defined through JAX's extension API (``glassbox.extend``, the rule tables of
``glassbox.interpreters.ad``/``batching``/``mlir``), the way equinox and flax define them,
checked end to end: eager, jit, jaxprs, grad against finite differences, vmap against a
Python loop, transposition; plus ``partial_eval`` and ``linear_util`` as flax uses them."""
import functools

import numpy as np
import pytest

import glassbox as gb
import glassbox.core
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.extend import core as jcore
from glassbox.extend import backend, linear_util as lu, source_info_util
from glassbox.interpreters import ad, batching, lowering, mlir
from glassbox.interpreters import partial_eval as pe
from glassbox.test_util import check_grads
from glassbox.tree_util import tree_flatten, tree_unflatten

ShapedArray = glassbox.core.ShapedArray   # jax.core.ShapedArray under install_as_jax

# --- a nonlinear primitive, equinox-style: scaled_sin(x, scale) = scale * sin(x) ------

scaled_sin_p = jcore.Primitive("scaled_sin")
seen_avals = []


def _scaled_sin_impl(x, *, scale):
    return scale * jnp.sin(x)


def _scaled_sin_abstract_eval(x, *, scale):
    seen_avals.append(x)
    return ShapedArray(shape=x.shape, dtype=x.dtype)


def _scaled_sin_jvp(primals, tangents, *, scale):
    (x,), (t,) = primals, tangents
    out = scaled_sin_p.bind(x, scale=scale)
    if type(t) is ad.Zero:
        return out, ad.Zero.from_primal_value(out)
    return out, scale * jnp.cos(x) * t


def _scaled_sin_batch(args, dims, *, scale):
    (x,), (d,) = args, dims
    return scaled_sin_p.bind(x, scale=scale), d


scaled_sin_p.def_impl(_scaled_sin_impl)
scaled_sin_p.def_abstract_eval(_scaled_sin_abstract_eval)
ad.primitive_jvps[scaled_sin_p] = _scaled_sin_jvp
batching.primitive_batchers[scaled_sin_p] = _scaled_sin_batch
mlir.register_lowering(scaled_sin_p, mlir.lower_fun(_scaled_sin_impl, multiple_results=False))


def scaled_sin(x, scale=2.0):
    return scaled_sin_p.bind(x, scale=scale)


# --- a linear primitive with two results: fan(x) = (a * x, b * x) -------------------
# multiple_results is set after construction and batching goes through the axis-data
# table (JAX's fancy_primitive_batchers), as equinox's primitives do.

fan_p = jcore.Primitive("fan")
fan_p.multiple_results = True
axis_seen = []


def _fan_impl(x, *, a, b):
    return a * x, b * x


def _fan_abstract_eval(x, *, a, b):
    return [x, x]


def _fan_jvp(primals, tangents, *, a, b):
    outs = fan_p.bind(*primals, a=a, b=b)
    (t,) = tangents
    if type(t) is ad.Zero:
        return outs, [ad.Zero(o.aval) for o in outs]
    return outs, fan_p.bind(t, a=a, b=b)


def _fan_transpose(cts, x, *, a, b):
    assert ad.is_undefined_primal(x)
    ct_a, ct_b = (ad.instantiate_zeros(c) for c in cts)
    return [a * ct_a + b * ct_b]


def _fan_batch(axis_data, args, dims, *, a, b):
    axis_seen.append((axis_data.size, axis_data.name, axis_data.spmd_name))
    return fan_p.bind(*args, a=a, b=b), [dims[0], dims[0]]


fan_p.def_impl(_fan_impl)
fan_p.def_abstract_eval(_fan_abstract_eval)
ad.primitive_jvps[fan_p] = _fan_jvp
ad.primitive_transposes[fan_p] = _fan_transpose
batching.fancy_primitive_batchers[fan_p] = _fan_batch
mlir.register_lowering(fan_p, mlir.lower_fun(_fan_impl, multiple_results=True))


def fan(x):
    return tuple(fan_p.bind(x, a=2.0, b=-3.0))


# --- tables, avals -------------------------------------------------------------


def test_registrations_land_in_glassbox_own_tables():
    assert ad.primitive_jvps is ad.jvp_rules and ad.primitive_transposes is ad.transpose_rules
    assert batching.fancy_primitive_batchers is batching.batch_rules
    assert glassbox.core.impl_rules[scaled_sin_p] is _scaled_sin_impl
    assert glassbox.core.abstract_eval_rules[scaled_sin_p] is _scaled_sin_abstract_eval
    assert scaled_sin_p in batching.batch_rules and scaled_sin_p in lowering.lowering_rules
    # the plain-signature view gives the user's rule back; the built-in rules read through
    # it take JAX's (args, dims) signature
    assert batching.primitive_batchers[scaled_sin_p] is _scaled_sin_batch
    add_rule = batching.primitive_batchers[lax.add_p]
    out, d = add_rule([jnp.ones((3, 2)), jnp.ones(2)], [0, None])
    assert d == 0 and out.shape == (3, 2)
    assert batching.fancy_primitive_batchers[fan_p] is _fan_batch
    assert fan_p.multiple_results and not scaled_sin_p.multiple_results
    assert jcore.Primitive is glassbox.core.Primitive


def test_user_rules_get_shaped_arrays_like_jax():
    seen_avals.clear()
    gb.make_jaxpr(scaled_sin)(np.ones((2, 3), np.float32))
    gb.make_jaxpr(scaled_sin)(1.5)
    arr, weak = seen_avals[0], seen_avals[-1]   # (the jaxpr checker may call it again)
    assert isinstance(arr, ShapedArray) and arr.shape == (2, 3)
    assert arr.dtype == np.float32 and not arr.weak_type
    assert arr.update(shape=(6,)).shape == (6,) and arr.ndim == 2
    assert weak.weak_type and weak.shape == ()
    assert isinstance(arr, glassbox.core.AbstractValue)
    assert arr.to_tangent_aval() == arr
    assert ShapedArray((2,), np.int32).to_tangent_aval().dtype == gb.dtypes.float0
    # JAX's Primitive.abstract_eval returns (avals, effects)
    out, effects = scaled_sin_p.abstract_eval(arr, scale=1.0)
    assert out == arr and not effects
    outs, _ = fan_p.abstract_eval(arr, a=1.0, b=1.0)
    assert list(outs) == [arr, arr]


# --- the nonlinear primitive through every transform ----------------------------


def test_eager_jit_and_jaxpr():
    x = np.linspace(-2, 2, 7).astype(np.float32)
    expected = 2.0 * np.sin(x)
    np.testing.assert_allclose(scaled_sin(x), expected, rtol=1e-6)
    np.testing.assert_allclose(scaled_sin_p.impl(x, scale=2.0), expected, rtol=1e-6)
    np.testing.assert_allclose(gb.jit(scaled_sin)(x), scaled_sin(x), rtol=1e-6)
    text = str(gb.make_jaxpr(scaled_sin)(x))
    assert "scaled_sin[scale=2.0]" in text and "sin " not in text.replace("scaled_sin", "")
    lowered = gb.jit(scaled_sin).lower(x).as_text()
    assert "stablehlo.sine" in lowered   # the primitive lowers as its impl's operations


def test_grad_against_finite_differences():
    x = np.array([0.3, -1.2, 2.0], np.float32)
    check_grads(lambda x: scaled_sin(x, 1.5), (x,), order=2, modes=("fwd", "rev"))
    g = gb.grad(lambda x: scaled_sin(x).sum())(x)
    np.testing.assert_allclose(g, 2.0 * np.cos(x), rtol=1e-6)
    np.testing.assert_allclose(gb.jit(gb.grad(lambda x: scaled_sin(x).sum()))(x), g, rtol=1e-6)
    # a symbolic-zero tangent (an input nobody differentiates) reaches the rule as ad.Zero
    f = lambda x, y: scaled_sin(x) * y   # noqa: E731
    np.testing.assert_allclose(gb.grad(f, argnums=1)(x[0], 2.0), 2.0 * np.sin(x[0]), rtol=1e-6)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_vmap_against_a_loop(n):
    xs = np.random.default_rng(n).normal(size=(n, 3)).astype(np.float32)
    loop = np.stack([np.asarray(scaled_sin(x)) for x in xs]) if n else np.zeros((0, 3))
    np.testing.assert_allclose(gb.vmap(scaled_sin)(xs), loop, rtol=1e-6)
    np.testing.assert_allclose(gb.vmap(scaled_sin, in_axes=1, out_axes=1)(xs.T), loop.T,
                               rtol=1e-6)
    np.testing.assert_allclose(gb.jit(gb.vmap(scaled_sin))(xs), loop, rtol=1e-6)
    per_example = gb.vmap(gb.grad(lambda x: scaled_sin(x).sum()))(xs)
    np.testing.assert_allclose(per_example, 2.0 * np.cos(xs), rtol=1e-6)


# --- the linear two-result primitive ----------------------------------------------


def test_multiple_results_eager_jit_grad():
    x = np.array([1.0, 2.0], np.float32)
    a, b = fan(x)
    np.testing.assert_allclose(a, 2 * x)
    np.testing.assert_allclose(b, -3 * x)
    ja, jb = gb.jit(fan)(x)
    np.testing.assert_allclose(ja, a)
    np.testing.assert_allclose(jb, b)
    assert "fan[a=2.0 b=-3.0]" in str(gb.make_jaxpr(fan)(x))
    check_grads(lambda x: fan(x)[0] * fan(x)[1], (x,), order=2, modes=("fwd", "rev"))
    # only one output used: the other's cotangent reaches the rule as a symbolic Zero
    np.testing.assert_allclose(gb.grad(lambda x: fan(x)[1].sum())(x), [-3.0, -3.0])


def test_transpose_through_linear_transpose_and_vjp():
    x = np.array([1.0, -1.0, 0.5], np.float32)
    ct = (np.array([1.0, 2.0, 3.0], np.float32), np.array([0.5, 0.5, 0.5], np.float32))
    (xt,) = gb.linear_transpose(fan, x)(ct)
    np.testing.assert_allclose(xt, 2 * ct[0] - 3 * ct[1])
    _, pullback = gb.vjp(fan, x)
    np.testing.assert_allclose(pullback(ct)[0], xt)
    # and the transposed program runs under jit
    np.testing.assert_allclose(gb.jit(lambda c: gb.linear_transpose(fan, x)(c))(ct)[0], xt)


@pytest.mark.parametrize("n", [0, 3])
def test_axis_data_batcher_against_a_loop(n):
    xs = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    axis_seen.clear()
    outs = gb.vmap(fan, axis_name="i")(xs)
    loop = [np.stack([np.asarray(fan(x)[k]) for x in xs]) if n else np.zeros((0, 2))
            for k in range(2)]
    for got, want in zip(outs, loop):
        np.testing.assert_allclose(got, want)
    assert axis_seen == [(n, "i", None)]
    grads = gb.vmap(gb.grad(lambda x: fan(x)[0].sum()))(xs)
    np.testing.assert_allclose(grads, np.full((n, 2), 2.0))


def test_axis_primitive_batchers_signature():
    double_p = jcore.Primitive("double_axis")
    double_p.def_impl(lambda x: 2 * x)
    double_p.def_abstract_eval(lambda x: x)
    calls = []

    def rule(axis_size, axis_name, trace_type, args, dims):
        calls.append((axis_size, axis_name, trace_type))
        return double_p.bind(*args), dims[0]
    batching.axis_primitive_batchers[double_p] = rule
    assert batching.axis_primitive_batchers[double_p] is rule
    out = gb.vmap(lambda x: double_p.bind(x), axis_name="b")(np.ones((5, 2), np.float32))
    np.testing.assert_allclose(out, np.full((5, 2), 2.0))
    assert calls == [(5, "b", None)]
    del batching.primitive_batchers[double_p]
    assert double_p not in batching.batch_rules


# --- lowering rules ------------------------------------------------------------------


def test_mlir_bindings_rule_fails_clearly_when_lowered():
    raw_p = jcore.Primitive("raw_bindings")
    raw_p.def_impl(lambda x: x + 1)
    raw_p.def_abstract_eval(lambda x: x)

    def bindings_rule(ctx, x):   # what a rule written with hlo.* looks like
        raise AssertionError("never called")
    mlir.register_lowering(raw_p, bindings_rule)   # registering succeeds (libraries import)
    np.testing.assert_allclose(raw_p.bind(np.float32(1.0)), 2.0)   # eager uses the impl
    with pytest.raises(NotImplementedError, match=r"'raw_bindings'.*lower_fun"):
        gb.jit(lambda x: raw_p.bind(x))(np.float32(1.0))
    # a built-in primitive's own lowering is never replaced by such a rule
    before = lowering.lowering_rules[lax.sin_p]
    mlir.register_lowering(lax.sin_p, bindings_rule)
    assert lowering.lowering_rules[lax.sin_p] is before
    np.testing.assert_allclose(gb.jit(jnp.sin)(np.float32(0.5)), np.sin(np.float32(0.5)),
                               rtol=1e-6)


def test_lower_fun_checks_its_types_and_platform_rules():
    bad_p = jcore.Primitive("bad_lowering")
    bad_p.def_impl(lambda x: x)
    bad_p.def_abstract_eval(lambda x: x)
    mlir.register_lowering(bad_p, mlir.lower_fun(lambda x: x.astype(jnp.int32),
                                                 multiple_results=False))
    with pytest.raises(TypeError, match="lower_fun.*i32.*f32"):
        gb.jit(lambda x: bad_p.bind(x))(np.float32(1.0))
    # a rule for this platform wins over the rule for all; others are ignored
    plat_p = jcore.Primitive("per_platform")
    plat_p.def_abstract_eval(lambda x: x)
    mlir.register_lowering(plat_p, mlir.lower_fun(lambda x: x + 1, multiple_results=False))
    mlir.register_lowering(plat_p, mlir.lower_fun(lambda x: x + 2, multiple_results=False),
                           platform=gb.default_backend())
    mlir.register_lowering(plat_p, mlir.lower_fun(lambda x: x + 3, multiple_results=False),
                           platform="tpu" if gb.default_backend() != "tpu" else "cuda")
    assert float(gb.jit(lambda x: plat_p.bind(x))(np.float32(0.0))) == 2.0
    with pytest.raises(NotImplementedError, match="unknown platform"):
        mlir.register_lowering(plat_p, mlir.lower_fun(lambda x: x), platform="abacus")


# --- JAX's rule helpers -----------------------------------------------------------


def test_deflinear_both_conventions_and_deflinear2():
    neg1_p = jcore.Primitive("neg_jax_style")
    neg1_p.def_impl(lambda x: -x)
    neg1_p.def_abstract_eval(lambda x: x)
    ad.deflinear(neg1_p, lambda ct: [-ct])            # JAX's deflinear: (ct, **params)
    neg2_p = jcore.Primitive("neg_deflinear2")
    neg2_p.def_impl(lambda x: -x)
    neg2_p.def_abstract_eval(lambda x: x)
    ad.deflinear2(neg2_p, lambda ct, x: [-ct])        # (ct, *args, **params)
    for p in (neg1_p, neg2_p):
        batching.primitive_batchers[p] = lambda args, dims, p=p: (p.bind(*args), dims[0])
        mlir.register_lowering(p, mlir.lower_fun(lambda x: -x, multiple_results=False))
        x = np.array([1.0, 2.0], np.float32)
        check_grads(lambda x: p.bind(x) * x, (x,), order=2, modes=("fwd", "rev"))
        np.testing.assert_allclose(gb.linear_transpose(p.bind, x)(x)[0], -x)
        np.testing.assert_allclose(gb.jit(gb.grad(lambda x: p.bind(x).sum()))(x), [-1, -1])


def test_defjvp2_defbilinear_and_missing_transpose():
    exp_p = jcore.Primitive("my_exp")
    exp_p.def_impl(jnp.exp)
    exp_p.def_abstract_eval(lambda x: x)
    ad.defjvp2(exp_p, lambda g, ans, x: g * ans)
    mlir.register_lowering(exp_p, mlir.lower_fun(jnp.exp, multiple_results=False))
    check_grads(exp_p.bind, (np.float32(0.3),), order=2, modes=("fwd", "rev"))

    mul_p = jcore.Primitive("my_mul")
    mul_p.def_impl(lambda x, y: x * y)
    mul_p.def_abstract_eval(lambda x, y: x)
    ad.defbilinear(mul_p, lambda ct, x, y: ct * y, lambda ct, x, y: x * ct)
    mlir.register_lowering(mul_p, mlir.lower_fun(lambda x, y: x * y, multiple_results=False))
    x, y = np.float32(1.5), np.float32(-2.0)
    check_grads(mul_p.bind, (x, y), order=2, modes=("fwd", "rev"))
    assert ad.get_primitive_transpose(mul_p) is ad.transpose_rules[mul_p]
    with pytest.raises(NotImplementedError, match="'my_exp'"):
        ad.get_primitive_transpose(exp_p)
    assert ad.add_jaxvals_p is ad.add_any_p
    np.testing.assert_allclose(ad.add_jaxvals(np.float32(1), np.float32(2)), 3.0)


def test_effectful_abstract_eval_keeps_the_equation():
    calls = []
    tick_p = jcore.Primitive("tick")
    tick_p.def_impl(lambda x: calls.append(1) or x)
    tick_p.def_effectful_abstract_eval(lambda x: (x, {jcore.Effect()}))
    mlir.register_lowering(tick_p, mlir.lower_fun(lambda x: x, multiple_results=False))

    def f(x):
        tick_p.bind(x)   # result unused
        return x * 2
    jaxpr = gb.make_jaxpr(f)(np.float32(1.0))
    pruned, _ = pe.dce_jaxpr(jaxpr.jaxpr, [True])
    assert [e.primitive for e in pruned.eqns].count(tick_p) == 1
    out, effects = tick_p.abstract_eval(ShapedArray((), np.float32))
    assert effects and out.shape == ()


# --- extend.core, partial_eval, linear_util (flax's uses) ---------------------------


def test_extend_core_names():
    prims = jcore.primitives
    assert prims.sin_p is lax.sin_p and prims.jit_p is gb.call_primitives.jit_p
    assert sum(n.endswith("_p") for n in dir(prims)) >= 160
    jaxpr = gb.make_jaxpr(lambda x: gb.jit(jnp.sin)(x) + 1)(1.0)
    eqn = jaxpr.eqns[0]
    assert eqn.primitive is prims.jit_p
    (body,) = jcore.subjaxprs(jaxpr.jaxpr)
    assert [e.primitive for e in body.eqns] == [prims.sin_p]
    assert list(jcore.jaxprs_in_params(eqn.params)) == [body]
    np.testing.assert_allclose(jcore.jaxpr_as_fun(jaxpr, np.float32(0.5)),
                               [np.sin(0.5) + 1], rtol=1e-6)
    aval = ShapedArray((4, 3), np.float32)
    assert jcore.mapped_aval(4, 0, aval) == ShapedArray((3,), np.float32)
    assert jcore.unmapped_aval(5, 1, aval) == ShapedArray((4, 5, 3), np.float32)
    assert jcore.mapped_aval(4, None, aval) is aval
    with pytest.raises(ValueError, match="length 4, not 2"):
        jcore.mapped_aval(2, 0, aval)
    v = jcore.gensym()(aval)
    eqn2 = jcore.new_jaxpr_eqn([v], [jcore.Var(aval)], lax.neg_p, {}, jcore.no_effects)
    assert eqn2.primitive is lax.neg_p and eqn2.invars == [v]
    assert np.ndarray in jcore.array_types and np.float32 in jcore.array_types
    assert jcore.valid_jaxtype(1.0) and not jcore.valid_jaxtype("text")
    assert jcore.concrete_or_error(int, np.int32(3)) == 3
    with pytest.raises(gb.errors.ConcretizationTypeError, match="needs a number"):
        gb.jit(lambda x: jcore.concrete_or_error(int, x, "needs a number"))(1)


def test_opaque_trace_state_and_take_current_trace():
    outside = jcore.get_opaque_trace_state(convention="flax")
    assert outside == jcore.get_opaque_trace_state(convention="nnx")
    inside = []

    def f(x):
        inside.append(jcore.get_opaque_trace_state())
        assert jcore.find_top_trace((x,)) is glassbox.core.current_trace()
        with jcore.take_current_trace() as trace:
            assert trace is not glassbox.core.eval_trace
            assert glassbox.core.current_trace() is glassbox.core.eval_trace
        return x
    gb.jit(f)(1.0)
    gb.grad(f)(1.0)
    assert inside[0] != outside and inside[1] != outside and inside[0] != inside[1]
    assert not jcore.unsafe_am_i_under_a_vmap_DO_NOT_USE()
    gb.vmap(lambda x: inside.append(jcore.unsafe_am_i_under_a_vmap_DO_NOT_USE()) or x)(
        np.ones(2))
    assert inside[-1] is True


def _flatten_fun(f, in_tree):
    """What flax gets from jax.api_util.flatten_fun, written with linear_util."""
    @lu.transformation_with_aux2
    def flat(fun, store, *leaves):
        args, kwargs = tree_unflatten(in_tree, leaves)
        out_leaves, out_tree = tree_flatten(fun(*args, **kwargs))
        store.store(out_tree)
        return out_leaves
    return flat(f)


def test_partial_eval_by_shape_as_flax_does():
    calls = []

    def init(x, n):
        calls.append(1)
        return {"w": jnp.ones(3) * n, "y": jnp.sin(x) * n}

    leaves, in_tree = tree_flatten(((jnp.ones(2), 4.0), {}))
    f_flat, out_tree = _flatten_fun(lu.wrap_init(init), in_tree)
    in_pvals = [pe.PartialVal.unknown(ShapedArray((2,), np.float32)),
                pe.PartialVal.known(leaves[1])]
    jaxpr, out_pvals, consts = pe.trace_to_jaxpr_nounits(f_flat, in_pvals)
    out = tree_unflatten(out_tree(), out_pvals)
    assert out["w"].is_known() and not out["y"].is_known()
    np.testing.assert_allclose(out["w"].get_known(), [4.0, 4.0, 4.0])  # computed now
    assert out["y"].get_aval() == ShapedArray((2,), np.float32) and out["y"][1] is None
    assert [e.primitive for e in jaxpr.eqns] == [lax.sin_p, lax.mul_p]
    assert len(jaxpr.constvars) == len(consts) and len(jaxpr.invars) == 1
    np.testing.assert_allclose(glassbox.core.eval_jaxpr(jaxpr, consts, np.zeros(2, np.float32)
                                                        + 0.5)[0], np.sin(0.5) * 4, rtol=1e-6)
    # instantiate=True: every output becomes an output of the jaxpr
    _, pvals_all, _ = pe.trace_to_jaxpr_nounits(
        lu.wrap_init(lambda x: [x * 2, jnp.ones(2)]),
        [pe.PartialVal.unknown(ShapedArray((2,), np.float32))], instantiate=True)
    assert not any(pv.is_known() for pv in pvals_all)
    with pytest.raises(ValueError, match="PartialVal"):
        pe.PartialVal((None, None))


def test_trace_to_jaxpr_dynamic_dce_and_constvars():
    c = np.arange(3.0, dtype=np.float32)
    fun = lu.wrap_init(lambda x, y: [x * c, jnp.cos(y)])
    aval = ShapedArray((3,), np.float32)
    jaxpr, out_avals, consts = pe.trace_to_jaxpr_dynamic(fun, [aval, aval])
    assert out_avals == [aval, aval] and len(consts) == len(jaxpr.constvars) == 1
    pruned, used = pe.dce_jaxpr(jaxpr, [False, True])
    assert used == [False, True] and [e.primitive for e in pruned.eqns] == [lax.cos_p]
    kept, used = pe.dce_jaxpr(jaxpr, [False, True], instantiate=True)
    assert used == [True, True] and len(kept.invars) == 2
    lifted = pe.convert_constvars_jaxpr(jaxpr)
    assert not lifted.constvars and len(lifted.invars) == 3
    no_c, used_consts, used_in = pe.dce_jaxpr_consts(jaxpr, [False, True])
    assert used_consts == [False] and used_in == [False, True] and not no_c.constvars
    # keep_inputs: the jaxpr takes every input, the function only the kept ones
    jaxpr2, _, _ = pe.trace_to_jaxpr_dynamic(lambda y: [y + 1], [aval, aval],
                                             keep_inputs=[False, True])
    assert len(jaxpr2.invars) == 2


def test_linear_util_transformations_and_stores():
    @lu.transformation2
    def add_one(f, x):
        return f(x + 1)

    @lu.transformation
    def double_input(x):
        result = yield (x * 2,), {}
        yield result + 100

    wrapped = double_input(add_one(lu.wrap_init(lambda x, k: x * k, {"k": 10})))
    assert wrapped.call_wrapped(3) == (3 * 2 + 1) * 10 + 100
    assert wrapped.params == (("k", 10),) and len(wrapped.transforms) == 2

    @lu.transformation_with_aux
    def with_aux(x):
        result = yield (x,), {}
        yield result, "aux!"
    fun, aux = with_aux(lu.wrap_init(lambda x: x))
    with pytest.raises(lu.StoreException):
        aux()
    assert fun.call_wrapped(5) == 5 and aux() == "aux!"
    with pytest.raises(lu.StoreException, match="occupied"):
        fun.call_wrapped(5)
    assert lu.merge_linear_aux(aux, lambda: (_ for _ in ()).throw(lu.StoreException())) == \
        (True, "aux!")

    calls = []

    @lu.cache
    def traced(fun, n):
        calls.append(n)
        return fun.call_wrapped(n)
    base = functools.partial(int)
    assert traced(lu.wrap_init(base), 3) == 3 and traced(lu.wrap_init(base), 3) == 3
    assert calls == [3]


def test_source_info_util_and_backend():
    with source_info_util.extend_name_stack("outer"):
        assert source_info_util.current_name_stack() == ("outer",)
        with source_info_util.set_name_stack(source_info_util.new_name_stack("x")):
            assert source_info_util.current_name_stack() == ("x",)
        jaxpr = gb.make_jaxpr(jnp.sin)(1.0)
    info = jaxpr.eqns[0].source_info
    assert info.file == __file__ and __file__ in source_info_util.summarize(info)
    assert backend.get_backend().platform == gb.default_backend()
    assert backend.get_default_device() == gb.devices()[0]
    assert set(backend.backends()) == {gb.default_backend()}
    with pytest.raises(RuntimeError, match="Unknown backend"):
        backend.get_backend("abacus")


def test_defreducer_broadcast_and_builtin_impl():
    sum_p = jcore.Primitive("my_sum")
    sum_p.def_impl(lambda x, *, axes: jnp.sum(x, axis=axes))
    sum_p.def_abstract_eval(lambda x, *, axes: x.update(
        shape=tuple(d for i, d in enumerate(x.shape) if i not in axes)))
    batching.defreducer(sum_p)
    mlir.register_lowering(sum_p, mlir.lower_fun(lambda x, *, axes: jnp.sum(x, axis=axes),
                                                 multiple_results=False))
    xs = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for in_axis in range(3):
        f = gb.vmap(lambda x: sum_p.bind(x, axes=(1,)), in_axes=in_axis)
        loop = np.stack([np.moveaxis(xs, in_axis, 0)[i].sum(1) for i in range(xs.shape[in_axis])])
        np.testing.assert_allclose(f(xs), loop)
        np.testing.assert_allclose(gb.jit(f)(xs), loop)
    b = batching.broadcast(jnp.ones((2, 3)), 5, 1)
    assert b.shape == (2, 5, 3)
    # a built-in primitive's impl compiles the one operation, as eager evaluation does
    np.testing.assert_allclose(lax.sin_p.impl(np.float32(0.5)), np.sin(np.float32(0.5)),
                               rtol=1e-6)
