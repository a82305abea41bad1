"""Record ``jax.image.resize`` / ``scale_and_translate`` outputs from real JAX 0.10.2 into
``tests/image_golden.json`` (read by tests/test_image.py).

Run with the JAX environment: ``.venv-jax/bin/python tests/make_image_golden.py``.
The input image is drawn here and in the test from the same NumPy generator.
"""
import json
import pathlib

import numpy as np

import jax
import jax.numpy as jnp

METHODS = ["nearest", "linear", "cubic", "lanczos3", "lanczos5", "cubic-pytorch", "area"]
SHAPES = [(9, 4, 2), (3, 11, 2), (5, 7, 2)]


def image():
    return np.random.default_rng(0).standard_normal((5, 7, 2)).astype(np.float32)


def main():
    x = image()
    out = {}
    for method in METHODS:
        for antialias in (True, False):
            for shape in SHAPES:
                key = f"{method}-{antialias}-{shape}"
                out[key] = np.asarray(jax.image.resize(x, shape, method,
                                                       antialias=antialias)).tolist()
    for method in ("linear", "cubic", "lanczos3"):
        for antialias in (True, False):
            out[f"st-{method}-{antialias}"] = np.asarray(jax.image.scale_and_translate(
                x, (6, 6, 2), (0, 1), jnp.array([1.3, 0.4]), jnp.array([0.5, -1.0]), method,
                antialias=antialias)).tolist()
    path = pathlib.Path(__file__).with_name("image_golden.json")
    path.write_text(json.dumps({"jax_version": jax.__version__, "values": out}))


if __name__ == "__main__":
    main()
