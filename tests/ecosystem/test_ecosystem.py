"""The JAX ecosystem's first programs run on glassbox, unmodified, and give JAX's numbers.

Each ``*_program.py`` beside this file is an ordinary program written for JAX (optax,
flax.linen, flax.nnx, equinox, numpyro, chex, jaxtyping: their documentation's first
examples, made small). Here each runs in a subprocess under
``python -m glassbox.as_jax``, so that ``import jax`` inside the libraries resolves to
glassbox; the hook must not reach this test session, whose other tests import glassbox
as itself. The results are compared with ``golden.json``, the same programs run with
JAX 0.10.2 (``make_golden.py``).

How close is close enough is data (``TOLERANCES``), per program:

* Deterministic programs (optax, flax, equinox) within a few float32 ulp, not bit for
  bit: XLA chooses its fusions, and so the order of a reduction's additions, from the
  HLO it is given, and glassbox's lowering of a jnp.mean or a dot_general is not
  always JAX's instruction for instruction. JAX itself moves these results by up to
  4 ulp between CPU instruction sets (``XLA_FLAGS=--xla_cpu_max_isa=AVX``), and Adam
  divides by sqrt(v), which amplifies a last-bit change in a small gradient.
* numpyro's NUTS: a Markov chain whose accept/reject decisions and tree depths turn on
  comparisons of floats, so one ulp anywhere sends the chain elsewhere; only the
  posterior's summary is stable. JAX itself, rerun with ``--xla_cpu_max_isa=AVX``,
  moves the sample means by up to 0.5 posterior standard deviations (50 samples) and
  the standard deviations by up to 26%. So a mean must be within one posterior
  standard deviation of JAX's, a standard deviation within 50% of JAX's: a wrong
  gradient or log-density still fails.
* Strings, booleans and integers (chex's failed assertion, jaxtyping's rejected calls,
  counts) exactly.
"""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from .run_program import PROGRAMS

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "golden.json")) as _f:
    GOLDEN = json.load(_f)["programs"]

# The distribution each program needs (`make test` installs tests/ecosystem/requirements.txt).
LIBRARY = {"optax": "optax", "flax_linen": "flax", "flax_nnx": "flax", "equinox": "equinox",
           "numpyro": "numpyro", "chex": "chex", "jaxtyping": "jaxtyping"}

# Per program: rtol/atol for floating results; "posterior" for the MCMC summaries.
FEW_ULP = {"rtol": 2e-5, "atol": 1e-6}
TOLERANCES = {
    "optax": FEW_ULP,
    "flax_linen": FEW_ULP,
    "flax_nnx": FEW_ULP,
    "equinox": FEW_ULP,
    "numpyro": {"posterior": True},
    "chex": FEW_ULP,
    "jaxtyping": FEW_ULP,
}
# numpyro: how far glassbox's posterior summary may be from JAX's (see the docstring).
MEAN_WITHIN_STDS = 1.0
STD_RTOL = 0.5
SUBPROCESS_TIMEOUT_S = 300


def run_under_glassbox(name, tmp_path):
    """Run ``NAME_program`` with ``jax`` mapped onto glassbox; its encoded results."""
    out = tmp_path / f"{name}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "glassbox.as_jax", os.path.join(HERE, "run_program.py"),
         name, str(out)],
        cwd=HERE, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
    if proc.returncode != 0:
        pytest.fail(f"{name}_program.py failed under glassbox (exit {proc.returncode}):\n"
                    + (proc.stdout + proc.stderr)[-6000:], pytrace=False)
    with open(out) as f:
        return json.load(f)


def decode(result):
    if "value" in result:
        return result["value"]
    a = np.frombuffer(bytes.fromhex(result["hex"]), dtype=result["dtype"])
    return a.reshape(result["shape"])


def compare(name, key, got, want, tol):
    """One result: exactly for non-floats, else within the program's tolerance."""
    if not isinstance(want, np.ndarray):
        assert got == want, f"{name}: {key} is {got!r}, JAX gives {want!r}"
        return
    assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape, (
        f"{name}: {key} is {getattr(got, 'dtype', type(got))}{getattr(got, 'shape', '')}, "
        f"JAX gives {want.dtype}{want.shape}")
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want, err_msg=f"{name}: {key}")
    else:
        np.testing.assert_allclose(got, want, rtol=tol["rtol"], atol=tol["atol"],
                                   err_msg=f"{name}: {key}")


def compare_posterior(got, want):
    """numpyro: each site's mean within MEAN_WITHIN_STDS of JAX's posterior spread."""
    for key in want:
        if key.endswith("_mean"):
            site = key[:-len("_mean")]
            spread = float(want[site + "_std"])
            assert abs(float(got[key]) - float(want[key])) <= MEAN_WITHIN_STDS * spread, (
                f"numpyro: the mean of {site!r} is {float(got[key]):.4f}, JAX's "
                f"{float(want[key]):.4f} (posterior std {spread:.4f})")
        elif key.endswith("_std"):
            np.testing.assert_allclose(got[key], want[key], rtol=STD_RTOL,
                                       err_msg=f"numpyro: {key}")
        else:
            compare("numpyro", key, got[key], want[key], None)


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_jax(name, tmp_path):
    assert importlib.util.find_spec(LIBRARY[name]) is not None, (
        f"{LIBRARY[name]} is not installed: `make test` installs "
        f"tests/ecosystem/requirements.txt")
    got = {key: decode(r) for key, r in run_under_glassbox(name, tmp_path).items()}
    want = {key: decode(r) for key, r in GOLDEN[name].items()}
    assert sorted(got) == sorted(want), f"{name}: results {sorted(got)}, JAX's {sorted(want)}"
    tol = TOLERANCES[name]
    if tol.get("posterior"):
        compare_posterior(got, want)
        return
    for key in want:
        compare(name, key, got[key], want[key], tol)


def test_the_hook_stays_in_its_subprocess():
    """This session imports glassbox as itself: no ``jax`` module here, real or mapped."""
    assert "jax" not in sys.modules
