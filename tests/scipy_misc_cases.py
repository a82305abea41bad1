"""Inputs for tests/test_scipy_misc.py, shared with tests/make_scipy_misc_golden.py (which
records real JAX 0.10.2's outputs on them)."""
import numpy as np

IMAGE = np.arange(12., dtype=np.float32).reshape(3, 4) ** 1.3
COORDS = [np.array([-1.3, 0.5, 1.5, 2.7, 3.2, -0.5, 2.5, 0.], np.float32),
          np.array([0.2, -0.5, 3.5, 2.1, 4.6, 1.5, -2.5, 3.], np.float32)]
MODES = ["constant", "nearest", "wrap", "mirror", "reflect"]
GRID = (np.array([0., 1., 3.], np.float32), np.array([0., 2., 3., 5.], np.float32))
POINTS = np.array([[0.5, 1.], [2., 4.], [-1., 1.], [3., 5.], [1., 2.], [2.9, 0.1]], np.float32)
X0 = {"rosen": [-1.2, 1.0, 0.5, 0.3], "quartic": [1., -2., 0.5]}


def rosen(np_like, x):
    return np_like.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def quartic(np_like, x):
    return np_like.sum((x - 2.) ** 2) + np_like.sum(x ** 4) + x[0] * x[1]
