"""Records tests/scipy_misc_golden.json from real JAX 0.10.2 on the inputs of
tests/scipy_misc_cases.py: run with .venv-jax/bin/python tests/make_scipy_misc_golden.py >
tests/scipy_misc_golden.json"""
import json
import pathlib
import sys

import numpy as np
import jax.numpy as jnp
import jax.scipy as jsp
import jax.scipy.optimize, jax.scipy.ndimage, jax.scipy.interpolate  # noqa: E401,F401

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import scipy_misc_cases as c  # noqa: E402


def listed(a):
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, np.float64).ravel()]


out = {}
for mode in c.MODES:
    for order in (0, 1):
        out[f"map_coordinates.{mode}.{order}"] = listed(
            jsp.ndimage.map_coordinates(c.IMAGE, c.COORDS, order, mode=mode, cval=-1.))
for method in ("linear", "nearest"):
    r = jsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE, method=method)
    out[f"interpolate.{method}"] = listed(r(c.POINTS))
    r = jsp.interpolate.RegularGridInterpolator(c.GRID, c.IMAGE, method=method, fill_value=None)
    out[f"interpolate.{method}.extrapolate"] = listed(r(c.POINTS))
for name, x0 in c.X0.items():
    res = jsp.optimize.minimize(lambda x: getattr(c, name)(jnp, x), jnp.array(x0), method="BFGS")
    out[f"minimize.{name}"] = {k: listed(getattr(res, k)) for k in
                               ("x", "fun", "jac", "hess_inv", "nfev", "njev", "nit", "status",
                                "success")}
print(json.dumps(out, indent=0))
