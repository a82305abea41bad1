"""Arrays built from their pieces on 8 CPU devices in one process:
make_array_from_callback, make_array_from_process_local_data and
make_array_from_single_device_arrays, against the global NumPy array.

Errors (classes and texts, with ``jax`` read as ``glassbox``), the indices the
callback sees and the dtypes come from JAX 0.10.2 run the same way (8 host devices).
"""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox.sharding import NamedSharding, P, SingleDeviceSharding, set_mesh

G = np.arange(32, dtype=np.float32).reshape(8, 4)


def _pieces_match(array, value, sharding):
    """Each device holds the block its index names, and the whole reads back as ``value``."""
    np.testing.assert_array_equal(np.asarray(array), value)
    assert array.sharding == sharding
    held = {s.device: np.asarray(s.data) for s in array.addressable_shards}
    for device, index in sharding.devices_indices_map(value.shape).items():
        np.testing.assert_array_equal(held[device], value[index])


# --- make_array_from_callback ---------------------------------------------------------

@pytest.mark.parametrize("spec", [P("x", "y"), P("x"), P(None, "y"), P(("x", "y")), P("y", "x")])
def test_callback_builds_each_block(mesh, spec):
    s = NamedSharding(mesh, spec)
    seen = []

    def cb(index):
        seen.append(index)
        return G[index]

    a = jax.make_array_from_callback(G.shape, s, cb)
    _pieces_match(a, G, s)
    assert a.dtype == np.float32 and not a.aval.weak_type
    assert len(seen) == 8   # once per device, with the indices JAX passes
    assert sorted(map(repr, seen)) == sorted(map(repr, s.devices_indices_map(G.shape).values()))


def test_callback_indices_are_jax_s(mesh):
    seen = []
    jax.make_array_from_callback(G.shape, NamedSharding(mesh, P("x", "y")),
                                 lambda i: seen.append(i) or G[i])
    assert seen[:3] == [(slice(0, 2), slice(0, 2)), (slice(0, 2), slice(2, 4)),
                        (slice(2, 4), slice(0, 2))]


def test_callback_replicated_is_called_once(mesh):
    seen = []
    a = jax.make_array_from_callback(G.shape, NamedSharding(mesh, P()),
                                     lambda i: seen.append(i) or G[i])
    assert seen == [(slice(None), slice(None))]
    _pieces_match(a, G, NamedSharding(mesh, P()))
    assert a.is_fully_replicated


@pytest.mark.parametrize("value, dtype, text", [
    (3, np.int32, "Array(3, dtype=int32)"),
    (True, np.bool_, "Array(True, dtype=bool)"),
    (2.5, np.float32, "Array(2.5, dtype=float32)"),
    (np.float64(2.5), np.float32, "Array(2.5, dtype=float32)"),   # canonicalised (no x64)
])
def test_callback_scalars_keep_jax_dtypes(mesh, value, dtype, text):
    a = jax.make_array_from_callback((), NamedSharding(mesh, P()), lambda i: value)
    assert a.shape == () and a.dtype == dtype and repr(a) == text


def test_callback_int64_data_becomes_int32(mesh):
    a = jax.make_array_from_callback((2,), NamedSharding(mesh, P()), lambda i: np.arange(2))
    assert repr(a) == "Array([0, 1], dtype=int32)"


def test_callback_single_device_and_use_in_jit(mesh1d):
    d = jax.devices()[3]
    a = jax.make_array_from_callback(G.shape, SingleDeviceSharding(d), lambda i: G[i])
    assert a.devices() == {d}
    np.testing.assert_array_equal(np.asarray(a), G)
    s = NamedSharding(mesh1d, P("i"))
    b = jax.make_array_from_callback(G.shape, s, lambda i: G[i])
    out = jax.jit(lambda x: jnp.sum(jnp.sin(x) * 2, axis=0))(b)
    np.testing.assert_allclose(np.asarray(out), np.sum(np.sin(G) * 2, axis=0), rtol=1e-6)


def test_callback_errors(mesh):
    s = NamedSharding(mesh, P("x", "y"))
    with pytest.raises(ValueError, match=r"Expected shard shape \(2, 2\) doesn't match the "
                                         r"single device array shape \(1, 2\)\. Shape of Array "
                                         r"is float32\[8,4\] with sharding NamedSharding"):
        jax.make_array_from_callback(G.shape, s, lambda i: G[i][:1])
    with pytest.raises(ValueError, match="Input buffers to `Array` must have matching dtypes. "
                                         "Got int32, expected float32"):
        jax.make_array_from_callback(G.shape, s, lambda i: G[i].astype(np.int32)
                                     if i[0].start else G[i])
    with pytest.raises(TypeError, match="sharding should be an instance of `glassbox.sharding`. "
                                        "Got x of type <class 'str'>"):
        jax.make_array_from_callback(G.shape, "x", lambda i: G[i])
    with pytest.raises(ValueError, match="If `dtype` is provided to "
                                         "`glassbox.make_array_from_callback`, it must match"):
        jax.make_array_from_callback(G.shape, NamedSharding(mesh, P("x")), lambda i: G[i],
                                     dtype=np.int32)


def test_callback_under_jit_refuses_tracers(mesh):
    s = NamedSharding(mesh, P())

    def f(x):
        return jax.make_array_from_callback((2,), s, lambda i: x)

    with pytest.raises(jax.errors.UnexpectedTracerError, match="cannot be called within a "
                                                              "traced context"):
        jax.jit(f)(np.ones(2, np.float32))


# --- make_array_from_process_local_data -------------------------------------------------

@pytest.mark.parametrize("spec", [P("x"), P("x", "y"), P(), P(("y", "x"))])
def test_process_local_data_in_one_process_is_the_whole_array(mesh, spec):
    s = NamedSharding(mesh, spec)
    a = jax.make_array_from_process_local_data(s, G)
    _pieces_match(a, G, s)
    b = jax.make_array_from_process_local_data(s, G, G.shape)   # the same, explicit
    _pieces_match(b, G, s)


def test_process_local_data_pytrees_and_bare_spec(mesh):
    s = NamedSharding(mesh, P("x"))
    tree = {"a": G, "b": G[:, :2] * 2}
    out = jax.make_array_from_process_local_data(s, tree)
    assert sorted(out) == ["a", "b"]
    _pieces_match(out["b"], G[:, :2] * 2, s)
    # A prefix: a sharding per entry.
    out = jax.make_array_from_process_local_data(
        {"a": s, "b": NamedSharding(mesh, P(None, "y"))}, tree)
    _pieces_match(out["b"], G[:, :2] * 2, NamedSharding(mesh, P(None, "y")))
    with set_mesh(mesh):
        q = jax.make_array_from_process_local_data(P("x"), G)
    assert repr(q.sharding) == ("NamedSharding(mesh=Mesh('x': 4, 'y': 2, axis_types=(Auto, "
                                "Auto)), spec=P('x',), memory_kind=device)")


def test_process_local_data_errors(mesh):
    s = NamedSharding(mesh, P("x"))
    with pytest.raises(ValueError, match=r"When calling `make_array_from_process_local_data` "
                                         r"on a single process, global_shape should be None or "
                                         r"equal to local_data.shape.Got global_shape=\(16, 4\) "
                                         r"and local_data.shape=\(8, 4\)\."):
        jax.make_array_from_process_local_data(s, G, (16, 4))
    with pytest.raises(ValueError, match="without a mesh"):
        jax.make_array_from_process_local_data(P("x"), G)


# --- make_array_from_single_device_arrays -------------------------------------------------

def _device_pieces(s, value):
    return [jax.device_put(value[idx], d) for d, idx in
            s.addressable_devices_indices_map(value.shape).items()]


@pytest.mark.parametrize("spec", [P("x"), P("x", "y"), P(), P("y")])
def test_single_device_arrays_join_in_any_order(mesh, spec):
    s = NamedSharding(mesh, spec)
    pieces = _device_pieces(s, G)
    for order in (pieces, pieces[::-1], tuple(pieces[3:] + pieces[:3])):
        a = jax.make_array_from_single_device_arrays(G.shape, s, order)
        _pieces_match(a, G, s)
        assert a.dtype == np.float32 and not a.aval.weak_type
    # The pieces are the arrays passed (no copy): the data of device d is the piece on d.
    by_device = {next(iter(p.devices())): p for p in pieces}
    for shard in a.addressable_shards:
        np.testing.assert_array_equal(np.asarray(shard.data),
                                      np.asarray(by_device[shard.device]))


def test_single_device_arrays_result_computes(mesh1d):
    s = NamedSharding(mesh1d, P("i"))
    a = jax.make_array_from_single_device_arrays(G.shape, s, _device_pieces(s, G))
    np.testing.assert_allclose(np.asarray(jax.jit(lambda x: (x * x).sum())(a)), (G * G).sum())
    np.testing.assert_allclose(np.asarray(a + 1), G + 1)


def test_single_device_arrays_errors(mesh):
    s = NamedSharding(mesh, P("x"))
    pieces = _device_pieces(s, G)
    with pytest.raises(ValueError, match=r"Expected 8 per-device arrays \(this is how many "
                                         r"devices are addressable by the sharding\), but got 7"):
        jax.make_array_from_single_device_arrays(G.shape, s, pieces[:-1])
    with pytest.raises(ValueError, match=r"the input arrays must be from distinct devices, but "
                                         r"got device IDs \[0, 1, 2, 3, 4, 5, 6, 0\]"):
        jax.make_array_from_single_device_arrays(G.shape, s, pieces[:-1] + pieces[:1])
    wrong = [jax.device_put(G[:1], d) for d in s.addressable_devices_indices_map(G.shape)]
    with pytest.raises(ValueError, match=r"Expected shard shape \(2, 4\) doesn't match the "
                                         r"single device array shape \(1, 4\)"):
        jax.make_array_from_single_device_arrays(G.shape, s, wrong)
    with pytest.raises(TypeError, match="`arrays` argument must be a list or tuple, but got "
                                        "<class 'numpy.ndarray'>"):
        jax.make_array_from_single_device_arrays(G.shape, s, np.ones(3))
    with pytest.raises(ValueError, match="must match the dtype of the addressable shards"):
        jax.make_array_from_single_device_arrays(G.shape, s, pieces, dtype=np.int32)
    two = NamedSharding(jax.make_mesh((2,), ("a",)), P("a"))
    other = [jax.device_put(G[:2], d) for d in jax.devices()[2:4]]
    with pytest.raises(ValueError, match="Addressable devices and per-device arrays devices "
                                         "do not match"):
        jax.make_array_from_single_device_arrays((4, 4), two, other)


def test_device_put_of_a_scalar_stays_a_scalar(mesh):
    a = jax.device_put(3.0, NamedSharding(mesh, P()))
    assert a.shape == () and repr(a) == "Array(3., dtype=float32, weak_type=True)"
