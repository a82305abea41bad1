"""Regenerate ``lax_promotion_golden.json`` from the real JAX (never imported by glassbox).

Run with JAX's interpreter, from the repository root::

    /path/to/jax-venv/bin/python tests/make_lax_promotion_golden.py

For every pair of JAX's 15 dtypes and the 3 weak Python scalar types (18 x 18),
``lax.add(a, b)`` is called with a rank-0 NumPy array of each strong dtype and
a Python scalar (``1``, ``1.0``, ``1j``) for the weak ones, with x64 off and on.
Stored per pair: the result's dtype and weak type, or the exception class name.
Unlike ``jnp.add``, lax does not promote: operands must share a dtype.
"""
import json
import os

import jax
import ml_dtypes
import numpy as np
from jax import lax

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = "b1 u1 u2 u4 u8 i1 i2 i4 i8 bf f2 f4 f8 c8 c16 i* f* c*".split()
STRONG = {"b1": np.bool_, "u1": np.uint8, "u2": np.uint16, "u4": np.uint32, "u8": np.uint64,
          "i1": np.int8, "i2": np.int16, "i4": np.int32, "i8": np.int64,
          "bf": ml_dtypes.bfloat16, "f2": np.float16, "f4": np.float32, "f8": np.float64,
          "c8": np.complex64, "c16": np.complex128}
WEAK = {"i*": 1, "f*": 1.0, "c*": 1j}


def operand(name):
    return WEAK[name] if name in WEAK else np.ones((), STRONG[name])


def outcome(a, b):
    try:
        out = lax.add(operand(a), operand(b))
    except Exception as e:  # noqa: BLE001 (the class is what we record)
        return {"raises": type(e).__name__}
    return {"dtype": out.dtype.name, "weak_type": bool(out.weak_type)}


def table():
    return {f"{a},{b}": outcome(a, b) for a in NAMES for b in NAMES}


def main():
    out = {"jax_version": jax.__version__, "names": NAMES}
    out["x64_off"] = table()
    jax.config.update("jax_enable_x64", True)
    out["x64_on"] = table()
    with open(os.path.join(HERE, "lax_promotion_golden.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
