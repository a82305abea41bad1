"""Records tests/stats_golden.json from real JAX 0.10.2 on the grids of
tests/stats_cases.py: run with .venv-jax/bin/python tests/make_stats_golden.py >
tests/stats_golden.json"""
import json
import pathlib
import sys

import numpy as np
import jax.scipy.stats as st

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from stats_cases import CASES  # noqa: E402


def encode(v):
    return "nan" if np.isnan(v) else ("inf" if v == np.inf else ("-inf" if v == -np.inf else v))


out = {}
for name, args in CASES.items():
    dist, fn = name.split(".")
    vals = getattr(getattr(st, dist), fn)(*[np.asarray(a, np.float32) for a in args])
    out[name] = [encode(float(v)) for v in np.asarray(vals, np.float64)]
print(json.dumps(out, indent=0))
