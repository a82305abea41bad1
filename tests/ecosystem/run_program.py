"""Run one ecosystem program and write its results as JSON.

    python run_program.py NAME OUT.json                        # with the real JAX
    python -m glassbox.as_jax run_program.py NAME OUT.json     # with glassbox as `jax`

NAME is a module ``NAME_program.py`` beside this file; its ``main()`` returns a dict of
named results (arrays, numbers, strings, booleans, or lists of them). Each is written
with its dtype, shape, raw bytes (hex) and values, so that a comparison can be bit for
bit or within a tolerance. ``make_golden.py`` stores the real JAX's results in
``golden.json``; ``test_ecosystem.py`` runs the same program under glassbox in a
subprocess (the ``jax`` import hook must not reach the rest of the test session).
"""
import importlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = ["optax", "flax_linen", "flax_nnx", "equinox", "numpyro", "chex", "jaxtyping"]


def encode(x):
    """One result as JSON: strings and booleans as they are, anything else as an array."""
    if isinstance(x, (str, bool)) or x is None:
        return {"value": x}
    a = np.asarray(x)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "hex": a.tobytes().hex(),
            "values": a.astype(np.float64 if a.dtype.kind == "f" else a.dtype).tolist()}


def run(name):
    """Import ``NAME_program`` (after ``jax`` is whatever it will be) and encode its results."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    results = importlib.import_module(f"{name}_program").main()
    return {key: encode(value) for key, value in results.items()}


if __name__ == "__main__":
    name, out = sys.argv[1:]
    with open(out, "w") as f:
        json.dump(run(name), f)
