"""Records tests/sph_harm_golden.json from real JAX 0.10.2: run with .venv-jax/bin/python
tests/make_sph_harm_golden.py > tests/sph_harm_golden.json"""
import json, numpy as np, jax, jax.numpy as jnp
from jax.scipy.special import sph_harm_y
rng = np.random.default_rng(0)
n = rng.integers(0, 9, 24)
m = np.array([rng.integers(-k, k + 1) for k in n])
theta = rng.uniform(0, np.pi, 24).astype(np.float32)
phi = rng.uniform(0, 2 * np.pi, 24).astype(np.float32)
theta[:3] = [0., np.pi, np.pi / 2]
cases = {
  "full": sph_harm_y(n, m, theta, phi),
  "nmax12": sph_harm_y(n, m, theta, phi, n_max=12),
  "clipped": sph_harm_y(n, m, theta, phi, n_max=4),
  "scalar_theta": sph_harm_y(n, m, np.float32(0.7), phi),
  "jit": jax.jit(sph_harm_y, static_argnums=5)(n, m, theta, phi, None, 8),
}
out = {"n": n.tolist(), "m": m.tolist(), "theta": theta.tolist(), "phi": phi.tolist()}
for k, v in cases.items():
    v = np.asarray(v)
    out[k] = {"dtype": str(v.dtype), "re": v.real.astype(np.float64).tolist(),
              "im": v.imag.astype(np.float64).tolist()}
print(json.dumps(out))
