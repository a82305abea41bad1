"""glassbox.scipy.optimize, integrate, ndimage, interpolate and cluster: against values
recorded from real JAX 0.10.2 (tests/scipy_misc_golden.json, made by
tests/make_scipy_misc_golden.py from tests/scipy_misc_cases.py), SciPy, NumPy, finite
differences, a loop for vmap and eager for jit."""
import functools
import json
import pathlib

import numpy as np
import pytest
import scipy.cluster.vq
import scipy.integrate
import scipy.interpolate
import scipy.ndimage
import scipy.optimize

import glassbox
import glassbox.numpy as jnp
import glassbox.scipy as gsp
from glassbox.test_util import check_grads

from . import scipy_misc_cases as c

GOLDEN = json.loads((pathlib.Path(__file__).parent / "scipy_misc_golden.json").read_text())


def _golden(value):
    return np.array([np.nan if v is None else v for v in value])


# --- optimize ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(c.X0))
def test_minimize_matches_jax(name):
    res = gsp.optimize.minimize(lambda x: getattr(c, name)(jnp, x), jnp.array(c.X0[name]),
                                method="BFGS")
    gold = GOLDEN[f"minimize.{name}"]
    for field in ("nfev", "njev", "nit", "status", "success"):
        assert float(getattr(res, field)) == gold[field][0], field
    for field in ("x", "fun", "jac", "hess_inv"):
        np.testing.assert_allclose(np.ravel(getattr(res, field)), _golden(gold[field]),
                                   rtol=1e-5, atol=1e-6, err_msg=field)


def _smooth(np_like, x):
    return np_like.sum(np_like.exp(0.3 * x) + (x - np_like.arange(3.)) ** 2) + x[0] * x[2]


@pytest.mark.parametrize("name", ["rosen", "smooth"])
def test_minimize_matches_scipy(name):
    f = c.rosen if name == "rosen" else _smooth
    x0 = np.array(c.X0["rosen"] if name == "rosen" else [1., -2., 0.5])
    with glassbox.enable_x64(True):
        res = gsp.optimize.minimize(lambda x: f(jnp, x), jnp.array(x0), method="BFGS")
        ref = scipy.optimize.minimize(lambda x: f(np, x), x0, method="BFGS")
        assert bool(res.success) and int(res.status) == 0
        assert res.x.dtype == np.float64
        np.testing.assert_allclose(res.x, ref.x, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(res.fun, ref.fun, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(res.jac, np.zeros_like(x0), atol=1e-5)


def test_minimize_args_jit_vmap_and_options():
    f = lambda x, a: jnp.sum((x - a) ** 2) + jnp.sum(x ** 4)  # noqa: E731
    eager = gsp.optimize.minimize(f, jnp.ones(3), (2.,), method="bfgs")
    jitted = glassbox.jit(lambda x: gsp.optimize.minimize(f, x, (2.,), method="BFGS"))(jnp.ones(3))
    np.testing.assert_allclose(jitted.x, eager.x, rtol=1e-6)
    assert int(jitted.nit) == int(eager.nit)
    starts = np.array([[0.5, 0.5, 0.5], [2., 1., 3.]], np.float32)
    run = lambda x: gsp.optimize.minimize(lambda y: c.rosen(jnp, y), x, method="BFGS",  # noqa: E731
                                          options=dict(maxiter=5)).x
    batched = glassbox.vmap(run)(starts)
    np.testing.assert_allclose(batched, np.stack([run(s) for s in starts]), rtol=1e-5)
    limited = gsp.optimize.minimize(lambda y: c.rosen(jnp, y), jnp.array(c.X0["rosen"]),
                                    method="BFGS", options=dict(maxiter=3))
    assert int(limited.nit) == 3 and int(limited.status) == 1 and not bool(limited.success)


def test_minimize_errors():
    with pytest.raises(TypeError, match="must be a tuple"):
        gsp.optimize.minimize(lambda x, a: x @ x, jnp.ones(2), 1., method="BFGS")
    with pytest.raises(ValueError, match="not recognized"):
        gsp.optimize.minimize(lambda x: x @ x, jnp.ones(2), method="Nelder-Mead")
    assert gsp.optimize.OptimizeResults._fields == (
        "x", "success", "status", "fun", "jac", "hess_inv", "nfev", "njev", "nit")


# --- integrate -----------------------------------------------------------------------

def test_trapezoid():
    y = np.array([[1., 2., 3., 2.], [3., 2., 1., 0.5]], np.float32)
    x = np.array([0., 2., 5., 7.], np.float32)
    np.testing.assert_allclose(gsp.integrate.trapezoid(y), scipy.integrate.trapezoid(y), rtol=1e-6)
    np.testing.assert_allclose(gsp.integrate.trapezoid(y, x), scipy.integrate.trapezoid(y, x),
                               rtol=1e-6)
    np.testing.assert_allclose(gsp.integrate.trapezoid(y, dx=0.5, axis=0),
                               scipy.integrate.trapezoid(y, dx=0.5, axis=0), rtol=1e-6)
    out = gsp.integrate.trapezoid(np.array([1, 2, 3]))
    assert out.dtype == np.float32 and float(out) == 4.
    with glassbox.enable_x64(True):
        check_grads(lambda y: gsp.integrate.trapezoid(y, x), (y.astype(np.float64),), order=1)


# --- ndimage -------------------------------------------------------------------------

@pytest.mark.parametrize("mode", c.MODES)
@pytest.mark.parametrize("order", [0, 1])
def test_map_coordinates(mode, order):
    out = gsp.ndimage.map_coordinates(c.IMAGE, c.COORDS, order, mode=mode, cval=-1.)
    np.testing.assert_allclose(out, _golden(GOLDEN[f"map_coordinates.{mode}.{order}"]),
                               rtol=1e-6)
    # SciPy agrees away from the half-integer ties of order 0 (SciPy rounds them
    # differently) and, for 'constant', away from the edge (SciPy interpolates to cval
    # between the last pixel and the border, JAX drops the out-of-range neighbour).
    coords = np.stack(c.COORDS).astype(np.float64)
    ref = scipy.ndimage.map_coordinates(c.IMAGE.astype(np.float64), coords, order=order,
                                        mode="grid-wrap" if mode == "wrap" else mode, cval=-1.)
    keep = np.ones(out.shape, bool)
    if order == 0:
        keep &= ~(np.abs(coords - np.round(coords)) == 0.5).any(0)
    if mode == "constant":
        keep &= ((coords >= 0) & (coords <= np.array(c.IMAGE.shape)[:, None] - 1)).all(0)
    assert keep.sum() >= 1
    np.testing.assert_allclose(np.asarray(out)[keep], ref[keep], rtol=1e-5, atol=1e-5)


def test_map_coordinates_ints_grads_and_errors():
    img = np.arange(12, dtype=np.int32).reshape(3, 4)
    out = gsp.ndimage.map_coordinates(img, [np.array([0.5, 1.25]), np.array([0.5, 2.])], 1)
    assert out.dtype == img.dtype
    np.testing.assert_array_equal(out, [3, 7])   # 2.5 -> 3 (half away from zero), 7
    check_grads(lambda im, x: gsp.ndimage.map_coordinates(im, [x, x / 2], 1, mode="nearest"),
                (c.IMAGE, np.array([0.3, 1.2, 1.7], np.float32)), order=1,
                atol=1e-2, rtol=1e-2)
    batched = glassbox.vmap(lambda x: gsp.ndimage.map_coordinates(c.IMAGE, [x, x], 1))(
        np.array([[0.2, 1.5], [0.7, 1.1]], np.float32))
    loop = [gsp.ndimage.map_coordinates(c.IMAGE, [x, x], 1)
            for x in np.array([[0.2, 1.5], [0.7, 1.1]], np.float32)]
    np.testing.assert_allclose(batched, np.stack(loop), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="order<=1"):
        gsp.ndimage.map_coordinates(c.IMAGE, c.COORDS, 3)
    with pytest.raises(NotImplementedError, match="mode"):
        gsp.ndimage.map_coordinates(c.IMAGE, c.COORDS, 1, mode="grid-wrap")
    with pytest.raises(ValueError, match="length input.ndim"):
        gsp.ndimage.map_coordinates(c.IMAGE, c.COORDS[:1], 1)


# --- interpolate ---------------------------------------------------------------------

@pytest.mark.parametrize("method", ["linear", "nearest"])
def test_regular_grid_interpolator(method):
    r = gsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE, method=method)
    np.testing.assert_allclose(r(c.POINTS), _golden(GOLDEN[f"interpolate.{method}"]), rtol=1e-6)
    ext = gsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE, method=method, fill_value=None)
    np.testing.assert_allclose(ext(c.POINTS), _golden(GOLDEN[f"interpolate.{method}.extrapolate"]),
                               rtol=1e-6)
    ref = scipy.interpolate.RegularGridInterpolator(
        tuple(g.astype(np.float64) for g in c.GRID), c.IMAGE.astype(np.float64), method=method,
        bounds_error=False)
    inside = ~np.isnan(ref(c.POINTS))
    np.testing.assert_allclose(np.asarray(r(c.POINTS))[inside], ref(c.POINTS)[inside], rtol=1e-5)
    assert np.isnan(np.asarray(r(c.POINTS))[~inside]).all()
    # a pytree: through jit; a tuple of coordinate arrays as xi
    np.testing.assert_allclose(glassbox.jit(lambda r, p: r(p))(r, c.POINTS), r(c.POINTS),
                               rtol=1e-6)
    np.testing.assert_allclose(r((c.POINTS[:, 0], c.POINTS[:, 1])), r(c.POINTS), rtol=1e-6)


def test_regular_grid_interpolator_errors():
    with pytest.raises(ValueError, match="not defined"):
        gsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE, method="cubic")
    with pytest.raises(NotImplementedError):
        gsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE, bounds_error=True)
    r = gsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE)
    with pytest.raises(ValueError, match="dimension"):
        r(np.ones((2, 3)))


# --- cluster -------------------------------------------------------------------------

def test_vq():
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(10, 3)).astype(np.float32)
    book = rng.normal(size=(4, 3)).astype(np.float32)
    code, dist = gsp.cluster.vq.vq(obs, book)
    ref_code, ref_dist = scipy.cluster.vq.vq(obs, book)
    np.testing.assert_array_equal(code, ref_code)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-5)
    code, dist = gsp.cluster.vq.vq(np.array([0, 1, 5]), np.array([0., 4.]))
    np.testing.assert_array_equal(code, [0, 0, 1])
    np.testing.assert_allclose(dist, [0., 1., 1.])
    with pytest.raises(ValueError, match="same rank"):
        gsp.cluster.vq.vq(obs, book[0])


# --- sparse.linalg -------------------------------------------------------------------

def _system(seed=0, n=6):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    return a, a @ a.T + n * np.eye(n), rng.normal(size=n)


@pytest.mark.parametrize("solver", ["cg", "bicgstab", "gmres", "gmres_incremental"])
def test_sparse_solvers(solver):
    a, spd, b = _system()
    f = getattr(gsp.sparse.linalg, solver.split("_")[0])
    kw = {"solve_method": "incremental", "restart": 3} if solver.endswith("incremental") else {}
    general = spd if solver == "cg" else a + 3 * np.eye(6)
    with glassbox.enable_x64(True):
        x, info = f(general, b, tol=1e-10, **kw)
        np.testing.assert_allclose(x, np.linalg.solve(general, b), rtol=1e-7, atol=1e-8)
        assert (info is None) if solver in ("cg", "bicgstab") else int(info) == 0
        # a function as the operator, a preconditioner, a pytree right-hand side
        x2, _ = f(lambda v: general @ v, b, M=lambda v: v / np.diag(general), tol=1e-10, **kw)
        np.testing.assert_allclose(x2, x, rtol=1e-7, atol=1e-8)
        tree = {"a": b[:2], "b": b[2:]}
        op = lambda t: (lambda v: {"a": v[:2], "b": v[2:]})(  # noqa: E731
            general @ jnp.concatenate([t["a"], t["b"]]))
        xt, _ = f(op, tree, tol=1e-10, **kw)
        np.testing.assert_allclose(jnp.concatenate([xt["a"], xt["b"]]), x, rtol=1e-7, atol=1e-8)
        # implicit differentiation: d/db of sum(x^2) is 2 A^-T x
        g = glassbox.grad(lambda b: jnp.sum(f(general, b, tol=1e-10, **kw)[0] ** 2))(b)
        np.testing.assert_allclose(g, 2 * np.linalg.solve(general.T, x), rtol=1e-6, atol=1e-8)
        # jit and vmap
        jx = glassbox.jit(lambda b: f(general, b, tol=1e-10, **kw)[0])(b)
        np.testing.assert_allclose(jx, x, rtol=1e-7, atol=1e-8)
        bs = np.stack([b, 2 * b + 1])
        vx = glassbox.vmap(lambda b: f(general, b, tol=1e-10, **kw)[0])(bs)
        np.testing.assert_allclose(vx, np.linalg.solve(general, bs.T).T, rtol=1e-6, atol=1e-8)


def test_sparse_solver_limits_and_errors():
    a, spd, b = _system(1)
    x, _ = gsp.sparse.linalg.cg(spd, b, maxiter=1)   # one step: not the solution yet
    assert np.linalg.norm(spd @ np.asarray(x, np.float64) - b) > 1e-3
    with pytest.raises(ValueError, match="square matrix"):
        gsp.sparse.linalg.cg(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="matching shapes"):
        gsp.sparse.linalg.bicgstab(spd, b, x0=np.zeros(5))
    with pytest.raises(ValueError, match="solve_method"):
        gsp.sparse.linalg.gmres(a, b, solve_method="bad")
    with pytest.raises(TypeError, match="dot requires"):
        gsp.sparse.linalg.cg(spd, {"a": b})


# --- spatial.transform ---------------------------------------------------------------

def test_rotation_against_scipy():
    from scipy.spatial.transform import Rotation as SR, Slerp as SSlerp
    R = gsp.spatial.transform.Rotation
    rng = np.random.default_rng(0)
    q = rng.normal(size=(5, 4))
    v = rng.normal(size=(5, 3))
    with glassbox.enable_x64(True):
        r, ref = R.from_quat(q), SR.from_quat(q)
        close = functools.partial(np.testing.assert_allclose, rtol=1e-10, atol=1e-12)
        close(r.as_quat(canonical=True), ref.as_quat(canonical=True))
        close(r.as_matrix(), ref.as_matrix())
        close(r.apply(v), ref.apply(v))
        close(r.apply(v, inverse=True), ref.apply(v, inverse=True))
        close(r.as_rotvec(), ref.as_rotvec())
        close(r.as_rotvec(degrees=True), ref.as_rotvec(degrees=True))
        close(r.as_mrp(), ref.as_mrp())
        close(r.magnitude(), ref.magnitude())
        close(r.inv().as_matrix(), ref.inv().as_matrix())
        close((r * r[::-1]).as_matrix(), (ref * ref[::-1]).as_matrix())
        close(r.mean().as_matrix(), ref.mean().as_matrix())
        close(r.as_quat(scalar_first=True), np.roll(r.as_quat(), 1, axis=-1))
        for seq in ("xyz", "ZXZ", "yxy", "XYZ"):
            close(r.as_euler(seq), ref.as_euler(seq))
            angles = ref.as_euler(seq, degrees=True)
            close(R.from_euler(seq, angles, degrees=True).as_matrix(),
                  SR.from_euler(seq, angles, degrees=True).as_matrix())
        close(R.from_euler("zy", np.array([0.3, -1.2])).as_matrix(),
              SR.from_euler("zy", [0.3, -1.2]).as_matrix())
        close(R.from_matrix(ref.as_matrix()).as_matrix(), ref.as_matrix())
        close(R.from_rotvec(ref.as_rotvec()).as_matrix(), ref.as_matrix())
        close(R.from_mrp(ref.as_mrp()).as_matrix(), ref.as_matrix())
        close(R.identity().as_matrix(), np.eye(3))
        close(R.concatenate([r[:2], r[3:]]).as_matrix(), np.delete(ref.as_matrix(), 2, 0))
        times = np.array([0., 1., 3., 4., 6.])
        at = np.array([0., 0.5, 2., 3.9, 6.])
        close(gsp.spatial.transform.Slerp.init(times, r)(at).as_matrix(),
              SSlerp(times, ref)(at).as_matrix())
        assert gsp.spatial.transform.Slerp.init(times, r)(2.5).single
    # float32, jit and vmap
    r32 = R.from_quat(q.astype(np.float32))
    v32 = v.astype(np.float32)
    np.testing.assert_allclose(glassbox.jit(lambda r, v: r.apply(v))(r32, v32), r32.apply(v32),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(glassbox.vmap(lambda q: R.from_quat(q).as_rotvec())(q.astype(np.float32)),
                               SR.from_quat(q).as_rotvec(), rtol=1e-5, atol=1e-6)


def test_rotation_errors():
    R = gsp.spatial.transform.Rotation
    with pytest.raises(ValueError, match="consecutive axes"):
        R.from_euler("xxy", np.zeros(3))
    with pytest.raises(ValueError, match="Expected axes"):
        R.from_euler("xYz", np.zeros(3))
    with pytest.raises(ValueError, match="Expected 3 axes"):
        R.identity().as_euler("xy")
    with pytest.raises(TypeError, match="not subscriptable"):
        R.identity()[0]
    with pytest.raises(ValueError, match="at least 2 rotations"):
        gsp.spatial.transform.Slerp.init(np.zeros(1), R.from_quat(np.ones((1, 4))))
