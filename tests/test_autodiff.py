"""grad, jvp, vjp and friends: values vs analytic/finite differences, composition, errors."""
import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.test_util import check_grads


def test_grad_of_polynomial():
    assert float(gb.grad(lambda x: x ** 3 + 2 * x)(2.0)) == pytest.approx(14.0)


def test_grad_through_python_control_flow_recursion_and_closures():
    def f(x, n):
        if x > 0:                      # Python branch on a concrete primal
            y = x
            for _ in range(n):         # Python loop
                y = jnp.sin(y) * x
            return y
        return -x
    check_grads(lambda x: f(x, 3), (0.7,), order=2)
    assert float(gb.grad(lambda x: f(x, 2))(-1.5)) == -1.0

    def power(x, n):                   # recursion
        return 1.0 if n == 0 else x * power(x, n - 1)
    assert float(gb.grad(lambda x: power(x, 4))(1.5)) == pytest.approx(4 * 1.5 ** 3)

    scale = 3.0
    assert float(gb.grad(lambda x: scale * jnp.sin(x))(0.0)) == pytest.approx(3.0)


def test_nested_grad_has_no_perturbation_confusion():
    assert float(gb.grad(lambda x: gb.grad(lambda y: x * y)(2.))(3.)) == 1.0


def test_third_derivative():
    f = lambda x: jnp.sin(x) * x   # noqa: E731
    d3 = gb.grad(gb.grad(gb.grad(f)))(0.3)
    expected = -3 * np.sin(0.3) - 0.3 * np.cos(0.3)
    assert float(d3) == pytest.approx(expected, rel=1e-5)


def test_jvp_and_vjp_agree_with_analytic():
    x = np.array([0.1, 0.2, 0.3], np.float32)
    t = np.array([1.0, 0.5, -1.0], np.float32)
    y, ty = gb.jvp(jnp.sin, (x,), (t,))
    np.testing.assert_allclose(ty, np.cos(x) * t, rtol=1e-6)
    y2, pullback = gb.vjp(jnp.sin, x)
    (ct,) = pullback(t)
    np.testing.assert_allclose(ct, np.cos(x) * t, rtol=1e-6)


def test_value_and_grad_pytrees_argnums_and_aux():
    def loss(params, x):
        pred = jnp.dot(x, params["w"]) + params["b"]
        return jnp.mean(pred ** 2), pred
    params = {"w": np.array([1.0, -2.0], np.float32), "b": np.float32(0.5)}
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    (value, pred), g = gb.value_and_grad(loss, has_aux=True)(params, x)
    pred_np = x @ params["w"] + 0.5
    assert float(value) == pytest.approx(np.mean(pred_np ** 2))
    np.testing.assert_allclose(g["w"], 2 * x.T @ pred_np / 2, rtol=1e-5)
    assert float(g["b"]) == pytest.approx(float(np.sum(pred_np)), rel=1e-5)
    gw, gx = gb.grad(lambda p, x: loss(p, x)[0], argnums=(0, 1))(params, x)
    assert gx.shape == x.shape and set(gw) == {"w", "b"}


def test_aux_leaves_come_out_as_plain_primals_at_every_level():
    def f(x):
        y = jnp.sin(x)
        return y.sum(), {"y": y}
    x = np.array([0.1, 0.2, 0.3], np.float32)
    # Traced: aux is an output of the jaxpr, not a leaked JVP tracer constant.
    closed = gb.make_jaxpr(gb.value_and_grad(f, has_aux=True))(x)
    assert not closed.consts and len(closed.jaxpr.outvars) == 3
    (_, aux), _ = gb.jit(gb.value_and_grad(f, has_aux=True))(x)
    np.testing.assert_allclose(aux["y"], np.sin(x), rtol=1e-6)
    *_, aux = gb.jvp(f, (x,), (x,), has_aux=True)
    assert isinstance(aux["y"], gb.Array)
    # Nested: the inner aux still carries the outer perturbation.
    outer = gb.grad(lambda x: gb.grad(lambda y: (x * y * y, x * y), has_aux=True)(x)[1])
    assert float(outer(2.0)) == pytest.approx(4.0)


def test_grad_errors_are_named_and_point_at_the_user():
    with pytest.raises(TypeError, match="scalar-output.*shape: \\(3,\\)") as info:
        gb.grad(jnp.sin)(np.ones(3, np.float32))
    assert "test_autodiff.py" in str(info.value)
    with pytest.raises(TypeError, match="allow_int"):
        gb.grad(lambda x: x * 2.0)(3)
    with pytest.raises(TypeError, match="argnums 2 is out of range"):
        gb.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


def test_grad_allow_int_gives_float0():
    g = gb.grad(lambda x, n: x * n, argnums=(0, 1), allow_int=True)(2.0, 3)
    assert float(g[0]) == 3.0 and g[1].dtype == gb.autodiff.float0


def test_grad_of_jit_and_jit_of_grad_and_hessian():
    f = lambda x: jnp.sum(jnp.tanh(x) ** 2)   # noqa: E731
    x = np.linspace(-1, 1, 5).astype(np.float32)
    g_eager = gb.grad(f)(x)
    np.testing.assert_allclose(gb.grad(gb.jit(f))(x), g_eager, rtol=1e-5)
    np.testing.assert_allclose(gb.jit(gb.grad(f))(x), g_eager, rtol=1e-5)
    np.testing.assert_allclose(gb.jit(gb.grad(gb.jit(f)))(x), g_eager, rtol=1e-5)
    t = 1 - np.tanh(x) ** 2
    np.testing.assert_allclose(g_eager, 2 * np.tanh(x) * t, rtol=1e-5)
    h = gb.hessian(f)(x)
    expected_diag = 2 * t ** 2 - 4 * np.tanh(x) ** 2 * t
    np.testing.assert_allclose(h, np.diag(expected_diag), atol=1e-5)


def test_jacobians_match_each_other_and_finite_differences():
    def f(x):
        return jnp.stack([jnp.sin(x[0]) * x[1], x[0] ** 2, jnp.exp(x[1])])
    x = np.array([0.3, 0.7], np.float32)
    jf, jr = gb.jacfwd(f)(x), gb.jacrev(f)(x)
    expected = np.array([[np.cos(0.3) * 0.7, np.sin(0.3)], [0.6, 0], [0, np.exp(0.7)]])
    np.testing.assert_allclose(jf, expected, rtol=1e-5)
    np.testing.assert_allclose(jr, expected, rtol=1e-5)


def test_jvp_of_vjp_and_vjp_of_jvp():
    f = lambda x: jnp.sin(x) * x   # noqa: E731
    x = np.array([0.5, 1.5], np.float32)

    def vjp_fn(x):
        return gb.vjp(f, x)[1](np.ones_like(x))[0]
    check_grads(vjp_fn, (x,), order=1)

    def jvp_fn(x):
        return gb.jvp(f, (x,), (np.ones_like(x),))[1]
    check_grads(jvp_fn, (x,), order=1, modes=("rev",))


def test_stop_gradient():
    assert float(gb.grad(lambda x: x * lax.stop_gradient(x))(3.0)) == 3.0
    assert float(gb.grad(lambda x: x * gb.stop_gradient(x))(3.0)) == 3.0


def test_custom_jvp_under_jit_and_higher_order():
    @gb.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), 10.0 * t            # deliberately not cos: proves the rule is used
    assert float(gb.grad(f)(0.3)) == 10.0
    assert float(gb.jit(gb.grad(f))(0.3)) == 10.0
    assert float(gb.grad(gb.jit(f))(0.3)) == 10.0
    assert float(gb.grad(gb.grad(lambda x: f(x) * x))(0.3)) == pytest.approx(20.0)
    np.testing.assert_allclose(gb.vmap(gb.grad(f))(np.ones(3, np.float32)), 10.0)


def test_custom_jvp_defjvps_and_nondiff_argnums():
    from functools import partial

    @partial(gb.custom_jvp, nondiff_argnums=(0,))
    def scaled(k, x):
        return k * jnp.sin(x)

    @scaled.defjvp
    def scaled_jvp(k, primals, tangents):
        (x,), (t,) = primals, tangents
        return scaled(k, x), k * jnp.cos(x) * t
    assert float(gb.grad(lambda x: scaled(2.0, x))(0.0)) == 2.0

    g = gb.custom_jvp(lambda x: x ** 2)
    g.defjvps(lambda t, ans, x: 3.0 * t)
    assert float(gb.grad(g)(5.0)) == 3.0


def test_custom_vjp_under_jit_vmap_and_errors():
    @gb.custom_vjp
    def clip_gradient(x):
        return x

    def fwd(x):
        return x, None

    def bwd(_, g):
        return (jnp.clip(g, -1.0, 1.0),)
    clip_gradient.defvjp(fwd, bwd)
    assert float(gb.grad(lambda x: 5.0 * clip_gradient(x))(2.0)) == 1.0
    assert float(gb.jit(gb.grad(lambda x: 5.0 * clip_gradient(x)))(2.0)) == 1.0
    out = gb.vmap(gb.grad(lambda x: 0.5 * clip_gradient(x)))(np.ones(3, np.float32))
    np.testing.assert_allclose(out, 0.5)

    bad = gb.custom_vjp(lambda x: x)
    bad.defvjp(lambda x: (x, None), lambda _, g: g)        # not a tuple
    with pytest.raises(TypeError, match="must return a tuple"):
        gb.grad(bad)(1.0)
    with pytest.raises(TypeError, match="forward-mode"):
        gb.jvp(clip_gradient, (1.0,), (1.0,))


def test_custom_vjp_bwd_may_return_none_for_a_zero_cotangent():
    @gb.custom_vjp
    def clip_gradient(lo, hi, x):          # JAX's documented example
        return x

    def fwd(lo, hi, x):
        return x, (lo, hi)

    def bwd(res, g):
        lo, hi = res
        return None, None, jnp.clip(g, lo, hi)
    clip_gradient.defvjp(fwd, bwd)
    g = gb.grad(lambda lo, hi, x: 5.0 * clip_gradient(lo, hi, x), argnums=(0, 1, 2))
    g_lo, g_hi, g_x = g(-1.0, 1.0, 2.0)
    assert (float(g_lo), float(g_hi), float(g_x)) == (0.0, 0.0, 1.0)
    assert all(isinstance(v, gb.Array) for v in (g_lo, g_hi, g_x))

    @gb.custom_vjp
    def scale(p):
        return p["a"] * p["b"]
    scale.defvjp(lambda p: (scale(p), p), lambda p, g: ({"a": g * p["b"], "b": None},))
    grads = gb.jit(gb.grad(scale))({"a": 2.0, "b": 3.0})
    assert float(grads["a"]) == 3.0 and float(grads["b"]) == 0.0


def test_gradients_of_python_scalars_stay_weakly_typed():
    # As in JAX: a weak input's tangent and cotangent are weak, so they promote like it.
    assert gb.grad(lambda x: x * 2.0)(3.0).weak_type
    assert gb.grad(lambda x, y: x * 2.0, argnums=1)(2.0, 3.0).weak_type
    assert gb.jvp(lambda x: x * 2.0, (3.0,), (1.0,))[1].weak_type
    assert not gb.grad(lambda x: x * 2.0)(np.float32(3.0)).weak_type
    g16 = gb.grad(lambda x: x * 2.0)(3.0) * jnp.ones(2, jnp.float16)
    assert g16.dtype == jnp.float16


def test_checkpoint_same_gradient_fewer_residuals():
    def block(x):
        for _ in range(4):
            x = jnp.sin(x) * 1.5
        return x

    def loss(f, x):
        return jnp.sum(f(x))
    x = np.linspace(0, 1, 4).astype(np.float32)
    g_plain = gb.grad(lambda x: loss(block, x))(x)
    g_remat = gb.grad(lambda x: loss(gb.checkpoint(block), x))(x)
    np.testing.assert_allclose(g_plain, g_remat, rtol=1e-6)
    plain = gb.ad_checkpoint.saved_residuals(lambda x: loss(block, x), x)
    remat = gb.ad_checkpoint.saved_residuals(lambda x: loss(gb.checkpoint(block), x), x)
    assert len(remat) < len(plain)


def test_linearize_and_linear_transpose():
    y, f_jvp = gb.linearize(jnp.sin, 0.5)
    assert float(f_jvp(1.0)) == pytest.approx(np.cos(0.5), rel=1e-6)
    transpose = gb.linear_transpose(lambda x: 3.0 * x, 1.0)
    assert float(transpose(2.0)[0]) == 6.0


def test_backward_equations_record_the_forward_line():
    def f(x):
        y = jnp.sin(x)   # line A
        return y * y
    line_a = f.__code__.co_firstlineno + 1
    jaxpr = gb.make_jaxpr(gb.grad(f))(0.5)
    backward = [e for e in jaxpr.eqns if "transpose" in e.source_info.name_stack]
    assert backward, str(jaxpr)
    assert any(e.source_info.line == line_a for e in jaxpr.eqns
               if "jvp" in e.source_info.name_stack)
    assert all(e.source_info.file.endswith("test_autodiff.py") for e in backward)


def test_missing_jvp_rule_names_the_primitive():
    from glassbox.core import Primitive, abstract_eval_rules
    from glassbox.interpreters.lowering import lowering_rules
    mystery_p = Primitive("mystery")
    abstract_eval_rules[mystery_p] = lambda x: x
    lowering_rules[mystery_p] = lambda ctx, x: x
    with pytest.raises(NotImplementedError, match="jvp rule for primitive 'mystery'"):
        gb.grad(lambda x: mystery_p.bind(x))(1.0)


def test_check_grads_catches_a_wrong_rule_with_jax_default_tolerances():
    @gb.custom_jvp
    def bad_sin(x):
        return jnp.sin(x)
    bad_sin.defjvp(lambda p, t: (jnp.sin(p[0]), jnp.sin(p[0]) * t[0]))   # should be cos
    for modes in (("fwd",), ("rev",)):
        with pytest.raises(AssertionError, match="check_grads"):
            check_grads(bad_sin, (0.7,), order=1, modes=modes)

    @gb.custom_jvp
    def good_sin(x):
        return jnp.sin(x)
    good_sin.defjvp(lambda p, t: (jnp.sin(p[0]), jnp.cos(p[0]) * t[0]))
    check_grads(good_sin, (0.7,), order=2)


# --- behaving exactly as JAX 0.10.2 (issue 10); references recorded from .venv-jax ------

def test_vjp_and_linearize_functions_are_pytrees_of_residuals():
    x = jnp.array([1.0, 2.0])
    _, f_vjp = gb.vjp(jnp.sin, x)
    (res,) = gb.tree_util.tree_leaves(f_vjp)         # the residual cos(x), as in JAX
    np.testing.assert_allclose(np.asarray(res), np.cos([1.0, 2.0]), rtol=1e-6)
    (ct,) = gb.jit(lambda f, c: f(c))(f_vjp, jnp.ones(2))     # into jit...
    np.testing.assert_allclose(np.asarray(ct), np.cos([1.0, 2.0]), rtol=1e-6)
    out = gb.jit(lambda x: gb.vjp(jnp.sin, x)[1])(x)          # ...and out of it
    np.testing.assert_allclose(np.asarray(out(jnp.ones(2))[0]), np.cos([1.0, 2.0]), rtol=1e-6)
    with pytest.raises(TypeError, match="called with 2 arguments"):
        f_vjp(jnp.ones(2), jnp.ones(2))
    _, f_jvp = gb.linearize(jnp.sin, x)
    assert isinstance(f_jvp, gb.tree_util.Partial)
    assert len(gb.tree_util.tree_leaves(f_jvp)) == 1
    t = gb.jit(lambda f, t: f(t))(f_jvp, jnp.ones(2))
    np.testing.assert_allclose(np.asarray(t), np.cos([1.0, 2.0]), rtol=1e-6)


def _branchy_custom_jvp():
    @gb.custom_jvp
    def f(x):
        if x > 0:
            return x ** 2
        return -x

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), (2 * x if x > 0 else -1.0) * t
    return f


def _branchy_custom_vjp():
    @gb.custom_vjp
    def h(x):
        if x > 0:
            return x ** 2
        return -x
    h.defvjp(lambda x: (h(x), x), lambda x, ct: ((2 * x if x > 0 else -1.0) * ct,))
    return h


def test_custom_rules_run_on_concrete_primals_under_grad():
    # JAX: eagerly the body is just called (Python float in, Python float out); under
    # grad/jvp/vjp at concrete values the rule (and the body) may branch on the value.
    f, h = _branchy_custom_jvp(), _branchy_custom_vjp()
    for fn in (f, h):
        assert fn(3.0) == 9.0 and type(fn(3.0)) is float
        assert type(fn(3)) is int
        for x, expected in ((3.0, 6.0), (-3.0, -1.0)):
            g = gb.grad(fn)(x)
            assert float(g) == expected and g.dtype == np.float32 and g.aval.weak_type
        assert gb.vjp(fn, 3.0)[1](1.0) == (6.0,)
        assert gb.value_and_grad(fn)(3.0)[0] == 9.0
    assert gb.jvp(f, (3.0,), (1.0,)) == (9.0, 6.0)
    assert float(gb.grad(gb.grad(f))(3.0)) == 2.0
    with pytest.raises(TypeError, match="forward-mode"):
        gb.jvp(h, (3.0,), (1.0,))
    with pytest.raises(gb.TracerBoolConversionError):      # jit traces the body, as JAX's
        gb.jit(gb.grad(f))(3.0)


def test_jacfwd_of_a_custom_jvp_function():
    k = gb.custom_jvp(lambda x: x * 2.0)
    k.defjvp(lambda p, t: (k(p[0]), t[0] * 3.0))
    np.testing.assert_array_equal(np.asarray(gb.jacfwd(k)(jnp.ones(2))), 3 * np.eye(2))


def test_check_grads_tolerance_scales_with_size_as_jax():
    # JAX's check_grads passes all of these (its tolerance is 2e-3 times the array size,
    # with finite differences in float32); the fixed 2e-3 used before failed them.
    x = np.linspace(-2, 2, 64, dtype=np.float32).reshape(8, 8)
    check_grads(lambda x: jnp.sum(x ** 3), (x,), order=2)
    check_grads(lambda x: jnp.cumsum(x.ravel() ** 2), (x,), order=2)
    check_grads(lambda x: (x @ x) * 3.0, (x,), order=2, modes=("fwd", "rev", "lin"))


def test_check_grads_rejects_what_jax_rejects():
    # JAX 0.10.2 fails this check ("VJP cotangent projection": 0.169093 vs 0.172802)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 2)).astype(np.float32)
    v = rng.standard_normal((2, 2)).astype(np.float32)
    with pytest.raises(AssertionError, match="VJP cotangent projection"):
        check_grads(lambda x, v: jnp.asarray(x).at[1].mul(v[0]), (x, v), order=2)


# grad at 0.5: (value, weak_type, dtype of grad * bfloat16 array), recorded from JAX 0.10.2
_JAX_WEAK_GRADS = {
    "tanh": (0.7864477038383484, True, "bfloat16"),
    "sqrt": (0.7071067690849304, True, "bfloat16"),
    "rsqrt": (-1.4142135381698608, True, "bfloat16"),
    "cbrt": (0.529133677482605, True, "bfloat16"),
    "logistic": (0.23500370979309082, True, "bfloat16"),
    "erf": (0.8787826299667358, True, "bfloat16"),
    "square": (1.0, True, "bfloat16"),
    "integer_pow": (0.75, True, "bfloat16"),
    "pow_float": (0.8838834762573242, False, "float32"),
    "pow_self": (0.21697771549224854, False, "float32"),
}
_WEAK_OPS = {"tanh": jnp.tanh, "sqrt": jnp.sqrt, "rsqrt": lax.rsqrt, "cbrt": jnp.cbrt,
             "logistic": lax.logistic, "erf": lax.erf, "square": lambda x: x ** 2,
             "integer_pow": lambda x: lax.integer_pow(x, 3), "pow_float": lambda x: x ** 2.5,
             "pow_self": lambda x: x ** x}


@pytest.mark.parametrize("name", sorted(_JAX_WEAK_GRADS))
def test_gradient_at_a_python_float_keeps_jax_weak_type(name):
    value, weak, product_dtype = _JAX_WEAK_GRADS[name]
    g = gb.grad(_WEAK_OPS[name])(0.5)
    np.testing.assert_allclose(float(g), value, rtol=1e-6)
    assert g.dtype == np.float32 and g.aval.weak_type == weak
    assert (g * jnp.ones(2, jnp.bfloat16)).dtype == np.dtype(product_dtype)


# JAX 0.10.2's TypeError messages for Jacobians of integer/complex functions
_JAX_JACOBIAN_ERRORS = [
    (lambda: gb.jacrev(lambda x: x * 2)(jnp.arange(3)),
     "jacrev requires real- or complex-valued inputs (input dtype that is a sub-dtype of "
     "np.inexact), but got int32. If you want to use Boolean- or integer-valued inputs, use vjp "
     "or set allow_int to True."),
    (lambda: gb.jacfwd(lambda x: x * 2)(jnp.arange(3)),
     "jacfwd requires real-valued inputs (input dtype that is a sub-dtype of np.floating), but "
     "got int32. For holomorphic differentiation, pass holomorphic=True. For differentiation of "
     "non-holomorphic functions involving complex inputs or integer inputs, use jax.jvp "
     "directly."),
    (lambda: gb.jacrev(lambda x: jnp.round(x).astype(jnp.int32))(jnp.ones(3)),
     "jacrev requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
     "but got int32. For differentiation of functions with integer outputs, use jax.vjp "
     "directly."),
    (lambda: gb.jacrev(lambda x: x * 2j)(jnp.ones(3)),
     "jacrev requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
     "but got complex64. For holomorphic differentiation, pass holomorphic=True. For "
     "differentiation of non-holomorphic functions involving complex outputs, use jax.vjp "
     "directly."),
    (lambda: gb.jacfwd(lambda x: x, holomorphic=True)(jnp.ones(3)),
     "jacfwd with holomorphic=True requires inputs with complex dtype, but got float32."),
]


@pytest.mark.parametrize("case", range(len(_JAX_JACOBIAN_ERRORS)))
def test_jacobian_dtype_errors_match_jax(case):
    call, message = _JAX_JACOBIAN_ERRORS[case]
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value).startswith(message)
    assert "test_autodiff.py" in str(info.value)         # and the user's line
