"""The op table: one record per operation, driving every generic test.

Records live in ``tests/op_records/<family>.py`` as a list named ``OPS``.
``tests/test_ops.py`` runs, for every record, dtype and shape:
values and dtypes against NumPy, eager vs jit, and "compiles once".
Tolerances are data: ``TOLERANCE`` per dtype, overridden per record.
"""
import dataclasses
import importlib
import pkgutil
from typing import Callable, Optional

import ml_dtypes
import numpy as np

F16, BF16 = np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16)
F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
C64 = np.dtype(np.complex64)
I8, I32, U8, U32 = (np.dtype(t) for t in (np.int8, np.int32, np.uint8, np.uint32))
BOOL = np.dtype(np.bool_)

FLOATS = (F32, F16, BF16)
INTS = (I32, I8, U8, U32)
NUMERIC = FLOATS + INTS
ALL = NUMERIC + (BOOL,)

# rtol/atol per dtype; records may override for their own op
TOLERANCE = {
    F16: 1e-2, BF16: 5e-2, F32: 2e-5, F64: 1e-12, C64: 2e-5,
}


# check_grads tolerance (atol = rtol) per dtype for the table's gradient tests. Looser than
# check_grads' JAX defaults (2e-3 for float32): the table differentiates float32 functions
# with kinks and reductions at order 2, where float32 central differences (computed in
# float32, as JAX does) are noisier than that. JAX's own suite runs these checks in float64.
GRAD_TOLERANCE = {F32: 2e-2, F16: 1e-1, BF16: 1e-1, F64: 1e-5, C64: 2e-2}


def tolerance(dtype, override=None):
    dtype = np.dtype(dtype)
    if override and dtype in override:
        return override[dtype]
    return TOLERANCE.get(dtype, 0)


# --- input generators: gen(rng, shape, dtype) -> np.ndarray ----------------

def rand_default(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == BOOL:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.unsignedinteger):
        return rng.integers(0, 10, shape).astype(dtype)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-10, 10, shape).astype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return (rng.standard_normal(shape) * 3).astype(dtype)


def rand_positive(rng, shape, dtype):
    x = rand_default(rng, shape, dtype)
    if np.dtype(dtype) == BOOL:
        return x
    return (np.abs(x.astype(np.float64)) + 0.5).astype(dtype)


def rand_unit(rng, shape, dtype):
    """Values in (-0.9, 0.9), for arcsin/arctanh/erf_inv."""
    return (rng.uniform(-0.9, 0.9, shape)).astype(dtype)


def rand_small_int(rng, shape, dtype):
    return rng.integers(0, 5, shape).astype(dtype)


def rand_edge(rng, shape, dtype):
    """Random values with nan, +-inf, 0, -0 and large values mixed in (floats only)."""
    x = rand_default(rng, shape, dtype)
    if not np.issubdtype(np.dtype(dtype), np.floating) and np.dtype(dtype) != BF16:
        return x
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e4, -1e4]).astype(dtype)
    flat = x.reshape(-1)
    n = min(flat.size, len(specials))
    flat[:n] = specials[:n]
    return flat.reshape(shape)


@dataclasses.dataclass
class Op:
    """One operation to test.

    name:    test id
    fn:      glassbox callable (positional array args, then ``kwargs``)
    ref:     NumPy reference with the same calling convention
    nargs:   number of array arguments
    dtypes:  dtypes tried (all array args get the same dtype unless ``gen`` decides)
    shapes:  each entry is one shape for all args, or a tuple of per-arg shapes
    gen:     input generator ``gen(rng, shape, dtype)`` (one per arg if a tuple)
    kwargs:  static keyword arguments passed to both fn and ref
    tol:     per-dtype tolerance overrides ``{dtype: rtol}``
    out_dtype: expected result dtype as a function of the input dtype (default: NumPy's)
    edge:    also test with nan/inf/0/large inputs
    grad:    highest derivative order to check (used by the autodiff tests)
    """
    name: str
    fn: Callable
    ref: Callable
    nargs: int
    dtypes: tuple = FLOATS
    shapes: tuple = ((), (3,), (2, 3))
    gen: object = rand_default
    kwargs: dict = dataclasses.field(default_factory=dict)
    tol: Optional[dict] = None
    out_dtype: Optional[Callable] = None
    edge: bool = False
    grad: int = 0

    def arg_shapes(self, shape):
        if isinstance(shape, tuple) and shape and isinstance(shape[0], tuple):
            return shape
        return (shape,) * self.nargs

    def make_args(self, rng, shape, dtype, edge=False):
        gens = self.gen if isinstance(self.gen, tuple) else (self.gen,) * self.nargs
        if edge:
            gens = (rand_edge,) * self.nargs
        return [g(rng, s, dtype) for g, s in zip(gens, self.arg_shapes(shape))]


def all_ops():
    from tests import op_records
    ops = []
    for info in pkgutil.iter_modules(op_records.__path__):
        module = importlib.import_module(f"tests.op_records.{info.name}")
        ops.extend(module.OPS)
    return ops


def cases():
    """(op, dtype, shape, edge) tuples with readable ids."""
    out = []
    for op in all_ops():
        for dtype in op.dtypes:
            for shape in op.shapes:
                out.append((op, np.dtype(dtype), shape, False))
            if op.edge and np.issubdtype(np.dtype(dtype), np.floating):
                out.append((op, np.dtype(dtype), op.shapes[-1], True))
    return out


def case_id(case):
    op, dtype, shape, edge = case
    return f"{op.name}-{dtype.name}-{shape}{'-edge' if edge else ''}".replace(" ", "")
