"""The small pieces libraries written for JAX import: ``experimental.sparse.BCOO`` (2-D),
``experimental.layout``, ``experimental.hijax`` and ``Ref``/``new_ref`` (absent, with
clear errors), ``typeof`` of typed keys."""
import numpy as np
import pytest
import scipy.sparse

import glassbox as gb
from glassbox.experimental import hijax
from glassbox.experimental.layout import Format, Layout
from glassbox.experimental.sparse import BCOO, bcoo_fromdense, bcoo_todense

M = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]], np.float32)


def test_bcoo_round_trips_and_products_match_numpy():
    b = BCOO.fromdense(M)
    assert (b.shape, b.nse, b.dtype) == ((2, 3), 3, np.float32)
    np.testing.assert_array_equal(b.todense(), M)
    np.testing.assert_array_equal(bcoo_todense(bcoo_fromdense(M, nse=5)), M)   # padded
    v, w = np.arange(3, dtype=np.float32), np.arange(6, dtype=np.float32).reshape(3, 2)
    np.testing.assert_allclose(b @ v, M @ v)
    np.testing.assert_allclose(b @ w, M @ w)
    np.testing.assert_allclose(v[:2] @ b, v[:2] @ M)          # NumPy operand on the left
    np.testing.assert_array_equal(b.T.todense(), M.T)
    from_scipy = BCOO.from_scipy_sparse(scipy.sparse.csr_matrix(M))
    np.testing.assert_array_equal(from_scipy.todense(), M)


def test_bcoo_under_jit_and_grad():
    b, v = BCOO.fromdense(M), np.array([1.0, -2.0, 0.5], np.float32)
    np.testing.assert_allclose(gb.jit(lambda s, x: s @ x)(b, v), M @ v)
    grad = gb.grad(lambda d: (BCOO((d, b.indices), shape=b.shape) @ v).sum())(b.data)
    np.testing.assert_allclose(grad, v[np.asarray(b.indices)[:, 1]])   # d/d data_k = v[col_k]


def test_bcoo_refuses_what_it_does_not_hold():
    with pytest.raises(NotImplementedError, match="2-D matrices"):
        BCOO((np.ones(2), np.zeros((2, 3), np.int32)), shape=(2, 2, 2))
    with pytest.raises(TypeError, match="cannot multiply"):
        BCOO.fromdense(M) @ np.ones(4, np.float32)


def test_layout_format_carries_layout_and_sharding():
    fmt = Format(Layout((1, 0)), None)
    assert fmt == Format(Layout((1, 0))) and fmt != Format(Layout((0, 1)))
    assert Format().layout is None and Format().sharding is None
    with pytest.raises(TypeError, match="Layout or None"):
        Format("row-major")


def test_refs_and_hijax_primitives_say_they_are_missing():
    assert not isinstance(gb.numpy.ones(2), gb.Ref)
    with pytest.raises(NotImplementedError, match="mutable array references"):
        gb.new_ref(gb.numpy.ones(2))
    with pytest.raises(NotImplementedError, match="hijax"):
        hijax.HiPrimitive("get_variable").bind(1.0)


def test_typeof_of_typed_keys():
    keys = gb.random.split(gb.random.key(0), 3)
    assert str(gb.typeof(keys)) == "key<fry>[3]" and gb.typeof(keys).shape == (3,)
    assert gb.typeof(keys[0]).shape == () and gb.typeof(keys) == gb.typeof(keys)
