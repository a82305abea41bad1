"""Records tests/special_golden.json from real JAX 0.10.2: run with .venv-jax/bin/python
tests/make_special_golden.py > tests/special_golden.json"""
import json, numpy as np, jax, jax.lax as lax, jax.scipy.special as sp
a = np.array([0.5, 1., 2., 5., 10., 0.1, 0., -1., np.nan, 3.], np.float32)
x = np.array([0.3, 1., 3., 2., 12., 5., 0., 1., 1., np.inf], np.float32)
b = np.array([2., 3., 0.5, 1., 4., 2., 1., 2., 2., 0.], np.float32)
p = np.array([0.1, .5, .9, .3, .99, 0., 1., 0.5, 0.5, 0.5], np.float32)
z = np.array([-10, -1, 0, 0.5, 3, 8, 9, 50, np.nan, -np.inf], np.float32)
out = {
  "igamma": lax.igamma(a, x), "igammac": lax.igammac(a, x), "igamma_grad_a": lax.igamma_grad_a(a, x),
  "random_gamma_grad": lax.random_gamma_grad(a, x), "betainc": lax.betainc(a, b, p),
  "zeta": lax.zeta(b + 1.5, x + 0.5), "bessel_i0e": lax.bessel_i0e(z), "bessel_i1e": lax.bessel_i1e(z),
  "dawsn": sp.dawsn(z), "spence": sp.spence(np.abs(z)), "ndtri": sp.ndtri(p), "log_ndtr": sp.log_ndtr(z),
  "erfcx": sp.erfcx(z), "betaln": sp.betaln(a + 1, b + 9),
}
print(json.dumps({k: [None if np.isnan(v) else float(v) for v in np.asarray(o, np.float64)] for k, o in out.items()}))
