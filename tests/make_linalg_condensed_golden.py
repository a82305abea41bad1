"""Records tests/linalg_condensed_golden.json from real JAX 0.10.2 (CPU, x64 enabled): run
.venv-jax/bin/python tests/make_linalg_condensed_golden.py > tests/linalg_condensed_golden.json

Each case: the function's name and keyword arguments, its inputs and JAX's outputs, as
{"dtype", "shape", "re", "im"} (NaN written as null). tests/test_linalg_condensed.py feeds
the same inputs to glassbox and compares."""
import json

import numpy as np
import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)
L = jax.lax.linalg
r = np.random.RandomState(7)


def enc(x):
    x = np.asarray(x)
    flat = x.astype(np.complex128).ravel()
    fix = lambda v: [None if np.isnan(t) else float(t) for t in v]  # noqa: E731
    return {"dtype": x.dtype.name, "shape": list(x.shape), "re": fix(flat.real),
            "im": fix(flat.imag) if np.iscomplexobj(x) else None}


def mat(shape, dtype):
    x = r.randn(*shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * r.randn(*shape)
    return x.astype(dtype)


cases = []


def case(name, fn, args, **kwargs):
    out = getattr(L, fn)(*args, **kwargs)
    out = list(out) if isinstance(out, (tuple, list)) else [out]
    cases.append({"name": name, "fn": fn, "kwargs": kwargs, "args": [enc(a) for a in args],
                  "out": [enc(o) for o in out]})


DTYPES = ["float32", "float64", "complex64", "complex128"]
for dt in DTYPES:
    a = mat((2, 5, 5), dt)
    case(f"schur_{dt}", "schur", [a])
    case(f"schur_novec_{dt}", "schur", [a], compute_schur_vectors=False)
    case(f"hessenberg_{dt}", "hessenberg", [a])
    h = a + np.conj(np.swapaxes(a, -1, -2))
    case(f"tridiagonal_{dt}", "tridiagonal", [h])
    case(f"tridiagonal_upper_{dt}", "tridiagonal", [h], lower=False)
    dl, d, du, b = mat((3, 6), dt), mat((3, 6), dt) + 3, mat((3, 6), dt), mat((3, 6, 2), dt)
    case(f"tridiagonal_solve_{dt}", "tridiagonal_solve", [dl, d, du, b])
    case(f"tridiagonal_solve_perturbed_{dt}", "tridiagonal_solve", [dl, d, du, b],
         perturb_singular=True)
    q = mat((2, 5, 3), dt)
    hh, taus = jnp.linalg.qr(q, mode="raw")
    hh = np.asarray(hh).swapaxes(-1, -2)
    for left in (True, False):
        for transpose in (False, True):
            c = mat((2, 5, 4) if left else (2, 4, 5), dt)
            case(f"ormqr_{dt}_{left}_{transpose}", "ormqr", [hh, np.asarray(taus), c], left=left,
                 transpose=transpose)
    case(f"svd_qr_{dt}", "svd", [mat((2, 5, 3), dt)], algorithm=L.SvdAlgorithm.QR)
    case(f"qdwh_{dt}", "qdwh", [mat((6, 4), dt)])
    case(f"qdwh_square_{dt}", "qdwh", [mat((4, 4), dt)], max_iterations=3)

# Singular systems: NaNs from ?gtsv, a finite answer when perturbed.
sing = [np.array([0., 1, 0]), np.array([1., 1, 1]), np.array([1., 0, 0]), np.ones((3, 1))]
case("tridiagonal_solve_singular", "tridiagonal_solve", sing)
case("tridiagonal_solve_singular_perturbed", "tridiagonal_solve", sing, perturb_singular=True)
for dt in ["float32", "float64"]:
    rr = np.triu(mat((4, 4), dt)) + 4 * np.eye(4, dtype=dt)
    case(f"cholesky_update_{dt}", "cholesky_update", [rr, mat((4,), dt)])
    w0 = mat((4,), dt)
    w0[1] = 0
    case(f"cholesky_update_zero_{dt}", "cholesky_update", [rr, w0])
    case(f"symmetric_product_{dt}", "symmetric_product", [mat((2, 4, 3), dt), mat((2, 4, 4), dt)],
         alpha=0.5, beta=2.0)
    case(f"symmetric_product_sym_{dt}", "symmetric_product",
         [mat((4, 3), dt), mat((4, 4), dt)], alpha=1.5, beta=-1.0, symmetrize_output=True)
for c in cases:
    c["kwargs"] = {k: (v.name if hasattr(v, "name") else v) for k, v in c["kwargs"].items()}
print(json.dumps(cases))
