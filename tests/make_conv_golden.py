"""Record real JAX 0.10.2 values for tests/test_convolution.py and tests/test_windowed.py.

Run with the JAX venv: ``.venv-jax/bin/python tests/make_conv_golden.py`` (writes
tests/conv_golden.json). Inputs are generated from fixed seeds by ``conv_inputs`` so the
tests regenerate them identically without storing them.
"""
import json
import pathlib

import numpy as np


def conv_inputs(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


TRANSPOSE_CASES = [   # (lhs shape NHWC, rhs shape HWIO, strides, padding, dilation, flip)
    ((1, 5, 4, 2), (3, 2, 2, 3), (2, 2), "SAME", None, False),
    ((2, 4, 4, 3), (3, 3, 2, 3), (2, 1), "VALID", None, True),
    ((1, 3, 5, 1), (2, 3, 1, 2), (1, 2), ((1, 0), (2, 1)), (1, 2), False),
    ((1, 6, 1), (3, 2, 1), (3,), "SAME", None, True),
]

PATCH_CASES = [   # (lhs shape NCHW, filter_shape, strides, padding)
    ((2, 3, 5, 4), (2, 3), (1, 2), "SAME"),
    ((1, 2, 4, 4), (3, 2), (2, 1), "VALID"),
]


def main():
    import jax
    import jax.numpy as jnp
    from jax import lax
    out = {"conv_transpose": [], "patches": [], "local": []}
    for i, (ls, rs, st, pad, dil, flip) in enumerate(TRANSPOSE_CASES):
        x, w = conv_inputs(i, ls, rs)
        y = lax.conv_transpose(x, w, st, pad, rhs_dilation=dil, transpose_kernel=flip)
        out["conv_transpose"].append(np.asarray(y).tolist())
    for i, (ls, fs, st, pad) in enumerate(PATCH_CASES):
        (x,) = conv_inputs(10 + i, ls)
        p = lax.conv_general_dilated_patches(x, fs, st, pad)
        out["patches"].append(np.asarray(p).tolist())
        c = ls[1] * int(np.prod(fs))
        (w,) = conv_inputs(20 + i, p.shape[2:] + (c, 3))
        y = lax.conv_general_dilated_local(x, w, st, pad, fs,
                                           dimension_numbers=("NCHW", "HWIO", "NCHW"))
        out["local"].append(np.asarray(y).tolist())

    # a small CNN: conv -> relu -> max-pool -> conv (grouped, strided) -> avg -> loss
    x, w1, w2 = conv_inputs(30, (2, 3, 8, 8), (4, 3, 3, 3), (6, 2, 2, 2))

    def cnn(x, w1, w2):
        h = lax.conv_general_dilated(x, w1, (1, 1), "SAME")
        h = jnp.maximum(h, 0.)
        h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
        h = lax.conv_general_dilated(h, w2, (2, 1), ((1, 0), (0, 1)), rhs_dilation=(1, 2),
                                     feature_group_count=2)
        h = lax.reduce_window(h, 0., lax.add, (1, 1, 2, 2), (1, 1, 1, 1), "SAME")
        return jnp.sum(jnp.tanh(h) ** 2)
    grads = jax.grad(cnn, (0, 1, 2))(x, w1, w2)
    out["cnn_loss"] = float(cnn(x, w1, w2))
    out["cnn_grads"] = [np.asarray(g).tolist() for g in grads]
    path = pathlib.Path(__file__).with_name("conv_golden.json")
    path.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
