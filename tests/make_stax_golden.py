"""Record JAX 0.10.2's stax and optimizers results for ``test_example_libraries.py``.

Run with JAX's interpreter from the repository root (glassbox never imports jax)::

    .venv-jax/bin/python tests/make_stax_golden.py

A small convnet's initial parameters and output (the key splits of ``serial`` and the
initializers), and a few Adam steps on it: float values, compared within a tolerance
(they go through erf_inv, exp and convolutions, whose last bits depend on the CPU).
"""
import json
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
from jax.example_libraries import optimizers, stax

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stax_cases import run  # noqa: E402


def main():
    out = {name: np.asarray(v, np.float64).tolist() for name, v in
           run(jax, jnp, jax.random, stax, optimizers).items()}
    with open(os.path.join(HERE, "stax_golden.json"), "w") as f:
        json.dump({"jax_version": jax.__version__, "values": out}, f, indent=0)
        f.write("\n")
    print(f"wrote {len(out)} arrays (JAX {jax.__version__})")


if __name__ == "__main__":
    main()
