"""Op records for elementwise primitives (see tests/op_table.py)."""
import numpy as np

import glassbox.numpy as jnp
from tests.op_table import FLOATS, NUMERIC, Op

OPS = [
    Op("add", jnp.add, np.add, 2, NUMERIC, edge=True),
    Op("sin", jnp.sin, np.sin, 1, FLOATS, edge=True),
]
