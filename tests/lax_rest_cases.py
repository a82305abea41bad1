"""The cases tests/test_lax_rest.py checks, written once for JAX (make_lax_rest_golden.py
records them) and glassbox (the test runs them): each takes the module ``jax`` or
``glassbox``."""
import numpy as np

DTYPES = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
          "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]
WEAK = {"py_int": 1, "py_float": 1.0, "py_complex": 1j, "py_bool": True}

BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
          "power", "float_power", "arctan2", "equal", "not_equal", "greater", "greater_equal",
          "less", "less_equal", "logical_and", "logical_or", "logical_xor", "remainder",
          "mod", "fmod", "floor_divide", "nextafter", "logaddexp", "logaddexp2", "hypot",
          "isclose", "copysign", "heaviside"]
INT_BINARY = ["bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"]
SHAPES = [((3,), (4,)), ((2, 3), (4, 3)), ((3,), (2, 4)), ((2, 1, 3), (4, 2))]


def promotion_table(jax):
    """``{"a+b": [dtype, weak]}`` for jnp.add, plus result_type and promote_types."""
    jnp = jax.numpy
    vals = {d: jnp.zeros(2, d) for d in DTYPES}
    vals.update(WEAK)
    out = {}
    for a in vals:
        for b in vals:
            r = jnp.add(vals[a], vals[b])
            out[f"{a}+{b}"] = [str(r.dtype), bool(r.weak_type)]
            out[f"result_type {a},{b}"] = str(jnp.result_type(vals[a], vals[b]))
            if a in DTYPES and b in DTYPES:
                out[f"promote_types {a},{b}"] = str(jnp.promote_types(a, b))
    return out


def _error(fun):
    try:
        fun()
    except Exception as err:   # noqa: BLE001 - the class is what is recorded
        return [type(err).__name__, str(err).split("\n")[0]]
    return None


def broadcast_errors(jax):
    jnp = jax.numpy
    out = {}
    for name in BINARY + INT_BINARY:
        dtype = np.int32 if name in INT_BINARY else np.float32
        for s1, s2 in SHAPES:
            x, y = jnp.ones(s1, dtype), jnp.ones(s2, dtype)
            out[f"{name} {s1} {s2}"] = _error(lambda: getattr(jnp, name)(x, y))
    x, y = jnp.ones(3), jnp.ones(4)
    out["jit add"] = _error(lambda: jax.jit(jnp.add)(x, y))
    out["operator +"] = _error(lambda: x + y)
    out["lax.add"] = _error(lambda: jax.lax.add(x, y))
    out["lax.max"] = _error(lambda: jax.lax.max(x, y))
    return out


def token_jaxprs(lax, token):
    """name -> (function, args) whose jaxprs hold tokens."""
    return {
        "create": (lambda: lax.create_token(), ()),
        "create_ignores_arg": (lambda x: lax.create_token(x), (1.0,)),
        "after_all": (lambda a: lax.after_all(a, lax.create_token()), (token,)),
        "after_all_none": (lambda: lax.after_all(), ()),
        "mixed": (lambda a, x: (lax.after_all(a), x * 2), (token, np.float32(1))),
    }


def scatter_apply_cases(jax):
    jnp, lax = jax.numpy, jax.lax
    x = jnp.arange(6.).reshape(2, 3)
    xi = jnp.arange(6).reshape(2, 3)
    dn = lax.ScatterDimensionNumbers((), (0, 1), (0, 1))
    dn_row = lax.ScatterDimensionNumbers((1,), (0,), (0,))
    dn_1d = lax.ScatterDimensionNumbers((), (0,), (0,))
    idx = jnp.array([[0, 1], [1, 2], [0, 1]])   # (0, 1) twice: func applies twice
    far = jnp.array([[5, 0], [1, 1]])
    return {
        "sin": lambda: lax.scatter_apply(x, idx, jnp.sin, dn, update_shape=(3,)),
        "double": lambda: lax.scatter_apply(x, idx, lambda v: v * 2, dn, update_shape=(3,)),
        "int": lambda: lax.scatter_apply(xi, idx, lambda v: v * 3 - 1, dn, update_shape=(3,)),
        "jit": lambda: jax.jit(lambda x: lax.scatter_apply(
            x, idx, lambda v: v + 1, dn, update_shape=(3,)))(x),
        "drop": lambda: lax.scatter_apply(x, far, lambda v: v - 10, dn, update_shape=(2,)),
        "clip": lambda: lax.scatter_apply(x, far, lambda v: v - 10, dn, update_shape=(2,),
                                          mode="clip"),
        "row": lambda: lax.scatter_apply(x, jnp.array([[1]]), jnp.exp, dn_row,
                                         update_shape=(1, 3)),
        "vmap": lambda: jax.vmap(lambda r: lax.scatter_apply(
            r, jnp.array([[1], [1]]), lambda v: v * 2, dn_1d, update_shape=(2,)))(x),
        "vmap_indices": lambda: jax.vmap(lambda r, i: lax.scatter_apply(
            r, i, lambda v: v + 100, dn_1d, update_shape=(1,)))(x, jnp.array([[[0]], [[2]]])),
    }


def scaled_dot_cases(jax):
    jnp, lax = jax.numpy, jax.lax
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 8)).astype(np.float32)
    b = rng.standard_normal((8, 3)).astype(np.float32)
    sa = rng.uniform(0.5, 4, (4, 2)).astype(np.float32)
    sb = rng.uniform(0.5, 4, (2, 3)).astype(np.float32)
    A = rng.standard_normal((2, 4, 8)).astype(np.float32)
    B = rng.standard_normal((2, 8, 3)).astype(np.float32)
    SA = rng.uniform(0.5, 4, (2, 4, 4)).astype(np.float32)
    f8 = lambda x: jnp.asarray(x).astype(jnp.float8_e4m3fn)   # noqa: E731
    e8 = lambda x: jnp.asarray(x).astype(jnp.float8_e8m0fnu)  # noqa: E731
    f32 = jnp.float32
    return {
        "bf16": lambda: lax.scaled_dot(a, b, lhs_scale=sa, rhs_scale=sb),
        "f32": lambda: lax.scaled_dot(a, b, lhs_scale=sa, rhs_scale=sb,
                                      preferred_element_type=f32),
        "no_scales": lambda: lax.scaled_dot(a, b, preferred_element_type=f32),
        "batched_jit": lambda: jax.jit(lambda A, B, SA: lax.scaled_dot(
            A, B, lhs_scale=SA, preferred_element_type=f32))(A, B, SA),
        "fp8": lambda: lax.scaled_dot(f8(a), f8(b), lhs_scale=e8(sa), rhs_scale=e8(sb),
                                      preferred_element_type=f32),
        "dims": lambda: lax.scaled_dot(a.T, b, rhs_scale=sb, dimension_numbers=(((0,), (0,)),
                                                                                ((), ())),
                                       preferred_element_type=f32),
    }


def var_cases(jax):
    jnp = jax.numpy
    x = jnp.arange(12.).reshape(3, 4) ** 1.5
    out = {}
    for fn in ("var", "std", "nanvar", "nanstd"):
        f = getattr(jnp, fn)
        for d in (0, 1, 2, 4):
            out[f"{fn} {d}"] = (lambda f=f, d=d: jax.jit(lambda x, d: f(x, ddof=d))(x, d))
            out[f"{fn} axis0 {d}"] = (lambda f=f, d=d: jax.jit(
                lambda x, d: f(x, axis=0, ddof=d))(x, d))
    out["var int"] = lambda: jax.jit(lambda x, d: jnp.var(x, ddof=d))(jnp.arange(5), 1)
    out["var float ddof"] = lambda: jax.jit(lambda x, d: jnp.var(x, ddof=d))(x, 1.5)
    out["vmap ddof"] = lambda: jax.vmap(lambda d: jnp.var(x, ddof=d))(jnp.arange(3))
    out["correction"] = lambda: jax.jit(lambda x, c: jnp.std(x, correction=c))(x, 1)
    return out
