"""Regenerate ``random_golden.json`` from the real JAX (never imported by glassbox).

Run with JAX's interpreter, from the repository root::

    /path/to/jax-venv/bin/python tests/make_random_golden.py

With an argument, the cases of another module are run and written beside it,
leaving ``random_golden.json`` as it is: ``make_random_golden.py random_cases_more``
writes ``random_golden_more.json`` (the module name's suffix after ``random_cases``).

Each case of ``random_cases.py`` is run with JAX 0.10.2 in its default
configuration (x64 off, ``jax_threefry_partitionable=True``); the result's
dtype, shape and raw bytes (hex) are stored, with the values for reading.

The bytes are this machine's: cases built on exp/log/erf_inv or linear algebra
differ in their last bits on other CPU models, so ``test_random.py`` compares
those (``PER_ELEMENT`` / ``PER_ARRAY`` in ``random_cases.py``) within a few ulp.
To check that split after adding a case, run the golden tests as if on other
CPUs: ``XLA_FLAGS=--xla_cpu_max_isa=AVX`` (no FMA) and ``=AVX2``; a case that
moves there but is not listed must be listed (or reseeded, see random_cases).
"""
import importlib
import json
import os
import sys

import jax
import jax.numpy as jnp
import jax.random as random
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def encode(x):
    if hasattr(x, "dtype") and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
        x = random.key_data(x)
    a = np.asarray(x)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "hex": a.tobytes().hex(),
            "values": a.astype(np.float64 if a.dtype.kind in "fV" else a.dtype).tolist()
            if a.dtype.kind != "c" else str(a.tolist())}


def main(module="random_cases"):
    assert jax.config.jax_threefry_partitionable and not jax.config.jax_enable_x64
    CASES = importlib.import_module(module).CASES
    out = {"jax_version": jax.__version__, "cases": {}}
    for name, fn in CASES:
        out["cases"][name] = encode(fn(jax, jnp, random))
    golden = "random_golden" + module[len("random_cases"):] + ".json"
    with open(os.path.join(HERE, golden), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {golden} (JAX {jax.__version__})")


if __name__ == "__main__":
    main(*sys.argv[1:])
