"""Regenerate ``golden.json``: every ecosystem program's results with the real JAX.

Install the libraries at the same versions into JAX's environment (normally, with
their dependencies: there the real JAX is what they should get), then run this with
JAX's interpreter, from the repository root::

    .venv-jax/bin/python -m pip install -r tests/ecosystem/requirements.txt
    .venv-jax/bin/python tests/ecosystem/make_golden.py

Each program of ``run_program.PROGRAMS`` runs in this process in JAX 0.10.2's default
configuration (x64 off); the results are stored with their dtype, shape, raw bytes and
values, beside the versions they came from. ``test_ecosystem.py`` says which results
must match bit for bit and which within a tolerance, and why.
"""
import importlib.metadata
import json
import os
import sys

import jax

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run_program import PROGRAMS, run  # noqa: E402

LIBRARIES = ["jax", "jaxlib", "optax", "chex", "flax", "equinox", "jaxtyping", "numpyro",
             "beartype"]


def main():
    assert not jax.config.jax_enable_x64
    out = {"versions": {lib: importlib.metadata.version(lib) for lib in LIBRARIES},
           "programs": {name: run(name) for name in PROGRAMS}}
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(PROGRAMS)} programs to golden.json (JAX {jax.__version__})")


if __name__ == "__main__":
    main()
