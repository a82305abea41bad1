"""Op records for array creation from arrays (see tests/op_table.py).

Creation functions without array arguments (zeros, eye, arange...) are
tested in tests/test_creation.py, which also checks weak types.
"""
import numpy as np

import glassbox.numpy as jnp
from tests.op_table import ALL, F32, FLOATS, NUMERIC, Op


def _np_full_like(a):
    return np.full_like(a, 2)


OPS = [
    Op("zeros_like", jnp.zeros_like, np.zeros_like, 1, ALL, ((), (2, 3))),
    Op("ones_like", jnp.ones_like, np.ones_like, 1, ALL, ((), (2, 3))),
    Op("full_like", lambda a: jnp.full_like(a, 2), _np_full_like, 1, NUMERIC, ((), (2, 3))),
    Op("array", jnp.array, np.array, 1, ALL, ((), (2, 3))),
    Op("asarray.float32", lambda a: jnp.asarray(a, dtype=jnp.float32),
       lambda a: np.asarray(a, dtype=np.float32), 1, NUMERIC, ((2, 3),),
       out_dtype=lambda d: np.dtype(np.float32)),
    Op("diag", jnp.diag, np.diag, 1, NUMERIC, ((3,), (3, 4))),
    Op("diag.k", lambda a: jnp.diag(a, k=-1), lambda a: np.diag(a, k=-1), 1, (F32,),
       ((3,), (4, 3))),
    Op("diagflat", jnp.diagflat, np.diagflat, 1, (F32,), ((2, 2),)),
    Op("linspace", lambda a, b: jnp.linspace(a, b, 5), lambda a, b: np.linspace(a, b, 5), 2,
       FLOATS, ((), (3,))),
    Op("linspace.axis", lambda a, b: jnp.linspace(a, b, 4, endpoint=False, axis=-1),
       lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=-1), 2, (F32,), ((2, 3),)),
]
