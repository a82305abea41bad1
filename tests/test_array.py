"""The Array type: construction, attributes, conversions, repr, devices, events."""
import json
import pickle
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import events


def test_repr_like_jax():
    assert repr(gb.device_put(np.array([1.0, 2.0], np.float32))) == \
        "Array([1., 2.], dtype=float32)"
    assert repr(gb.device_put(np.int32(3))) == "Array(3, dtype=int32)"
    assert repr(jnp.add(1.0, 2.0)) == "Array(3., dtype=float32, weak_type=True)"


def test_attributes():
    x = gb.device_put(np.zeros((2, 3), np.int8))
    assert (x.shape, x.dtype, x.ndim, x.size, x.nbytes) == ((2, 3), np.int8, 2, 6, 6)
    assert len(x) == 2
    assert isinstance(x, gb.Array) and isinstance(x, gb.ArrayImpl)


def test_tracers_are_arrays_too():
    seen = []
    gb.jit(lambda x: seen.append(isinstance(x, gb.Array)) or x)(1.0)
    assert seen == [True]


def test_numpy_conversions_and_dlpack():
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = gb.device_put(host)
    np.testing.assert_array_equal(np.asarray(x), host)
    assert x.tolist() == host.tolist()
    assert gb.device_put(np.float32(2.5)).item() == 2.5
    assert float(gb.device_put(np.float32(2.5))) == 2.5
    np.testing.assert_array_equal(np.from_dlpack(x), host)


def test_immutability_message_points_to_at():
    x = gb.device_put(np.zeros(3, np.float32))
    with pytest.raises(TypeError, match=r"x.at\[idx\].set\(y\)"):
        x[0] = 1.0


def test_unhashable():
    with pytest.raises(TypeError, match="unhashable"):
        hash(gb.device_put(np.zeros(2)))


def test_supported_dtypes_round_trip():
    for dtype in (np.bool_, np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32,
                  np.float16, ml_dtypes.bfloat16, np.float32, np.complex64):
        host = np.ones(3, dtype)
        x = gb.device_put(host)
        assert x.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(np.asarray(x), host)


def test_64_bit_inputs_are_canonicalized_unless_x64():
    assert gb.device_put(np.ones(2, np.float64)).dtype == np.float32
    assert gb.device_put(np.ones(2, np.int64)).dtype == np.int32
    with gb.config.override(enable_x64=True):
        assert gb.device_put(np.ones(2, np.float64)).dtype == np.float64
        assert jnp.add(1.0, 1.0).dtype == np.float64


def test_devices_and_device_get():
    x = gb.device_put(np.ones(2, np.float32))
    assert x.devices() == {gb.devices()[0]}
    tree = gb.device_get({"a": x, "b": 3})
    assert isinstance(tree["a"], np.ndarray) and tree["b"] == 3
    assert gb.block_until_ready({"a": x})["a"] is x


def test_pickle_round_trip():
    x = jnp.add(1.0, 2.0)
    y = pickle.loads(pickle.dumps(x))
    assert float(y) == 3.0 and y.weak_type


def test_array_events_report_creation_and_freeing():
    with events.record("array_created", "array_freed") as log:
        x = gb.device_put(np.ones((4, 4), np.float32))
        ident = id(x)
        del x
    created = [e for e in log if e.kind == "array_created" and e["id"] == ident]
    freed = [e for e in log if e.kind == "array_freed" and e["id"] == ident]
    assert created[0]["nbytes"] == 64 and created[0]["shape"] == (4, 4)
    assert freed and freed[0]["nbytes"] == 64


def test_no_events_cost_when_nobody_listens():
    assert events.listening is False


def test_config_update_and_override():
    assert gb.config.enable_x64 is False
    with gb.config.override(jax_enable_x64=True):
        assert gb.config.read("jax_enable_x64") is True
    assert gb.config.enable_x64 is False
    with pytest.raises(AttributeError, match="options are"):
        gb.config.update("no_such_option", True)
    with pytest.raises(TypeError, match="takes a bool"):
        gb.config.update("enable_x64", "yes")


def test_eager_and_jit_run_where_their_arguments_live():
    # The CPU device count is fixed when the first array is made: use a fresh process.
    code = """
import json, numpy as np, glassbox as gb, glassbox.numpy as jnp
gb.config.update("cpu_device_count", 3)
d = gb.devices()[2]
x = gb.device_put(np.arange(4.0, dtype=np.float32), d)
eager = x * 2 + 1                                   # a Python scalar joins x on cpu:2
f = gb.jit(lambda a, b: a @ b + 1.0)
on_2, on_0 = f(x, x), f(np.ones(4, np.float32), np.ones(4, np.float32))
print(json.dumps([[str(a.device) for a in (eager, on_2, on_0)],
                  np.asarray(eager).tolist(), float(on_2), float(on_0)]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    where, eager, on_2, on_0 = json.loads(out.stdout.strip().splitlines()[-1])
    assert where == ["cpu:2", "cpu:2", "cpu:0"]
    assert eager == [1.0, 3.0, 5.0, 7.0] and on_2 == 15.0 and on_0 == 5.0
