"""The persistent compilation cache: what one process compiles, the next loads."""
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import compilation_cache, events

# A fresh process: compile (or load) one jitted function, report the cache's counters.
CHILD = textwrap.dedent("""
    import json, sys
    import glassbox as gb, glassbox.numpy as jnp
    from glassbox import compilation_cache, events
    gb.config.update("jax_persistent_cache_min_compile_time_secs", float(sys.argv[1]))
    gb.config.update("jax_persistent_cache_min_entry_size_bytes", int(sys.argv[2]))
    x = jnp.array([[1.0, 2.0], [3.0, 4.0]])
    with events.record("compiled") as log:
        y = gb.jit(lambda m: jnp.tanh(m @ m).sum(axis=0))(x)
    print(json.dumps({"value": [float(v) for v in y], "info": compilation_cache.info(),
                      "from_disk": [e["from_disk"] for e in log]}))
""")


def _child(cache_dir, min_seconds=0.0, min_bytes=0):
    env = dict(os.environ, JAX_COMPILATION_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", CHILD, str(min_seconds), str(min_bytes)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_second_process_loads_what_the_first_compiled(tmp_path):
    first = _child(tmp_path)   # (the eager ops making the input are cached too)
    assert first["info"]["writes"] >= 1 and first["info"]["hits"] == 0
    assert first["from_disk"] == [False]
    second = _child(tmp_path)
    assert second["info"]["hits"] == first["info"]["writes"] and second["info"]["writes"] == 0
    assert second["from_disk"] == [True]
    assert second["value"] == first["value"]
    m = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    np.testing.assert_allclose(second["value"], np.tanh(m @ m).sum(axis=0), rtol=1e-6)


def test_entries_below_the_thresholds_are_not_written(tmp_path):
    assert _child(tmp_path, min_seconds=3600)["info"]["writes"] == 0
    assert _child(tmp_path, min_bytes=10 ** 12)["info"]["writes"] == 0
    assert not compilation_cache.info()["entries"] or gb.config.compilation_cache_dir is None


@pytest.fixture
def cache_dir(tmp_path):
    with gb.config.override(compilation_cache_dir=str(tmp_path),
                            persistent_cache_min_compile_time_secs=0):
        yield tmp_path


def _fresh_function():
    """A function no other test compiled, so the compile reaches the disk cache."""
    return gb.jit(lambda v: jnp.sin(v) * 3.25 - 0.125)


def test_a_corrupt_entry_warns_and_is_compiled_and_written_again(cache_dir):
    x = jnp.arange(5.0)
    expected = np.sin(np.arange(5.0, dtype=np.float32)) * 3.25 - 0.125
    before = set(cache_dir.iterdir())
    np.testing.assert_allclose(_fresh_function()(x), expected, rtol=1e-6)
    (entry,) = set(cache_dir.iterdir()) - before
    good = entry.read_bytes()
    for bad in (good[:-10] + b"0123456789", good[: len(good) // 2]):   # altered, torn
        entry.write_bytes(bad)
        with pytest.warns(UserWarning, match="corrupt"):
            np.testing.assert_allclose(_fresh_function()(x), expected, rtol=1e-6)
        assert entry.read_bytes() != bad   # written again, and loads without a warning:
        with warnings.catch_warnings(), events.record("compiled") as log:
            warnings.simplefilter("error")
            np.testing.assert_allclose(_fresh_function()(x), expected, rtol=1e-6)
        assert [e["from_disk"] for e in log] == [True]


def test_info_counts_and_clear_empties(cache_dir):
    before = compilation_cache.info()
    with events.record("compiled") as log:
        _fresh_function()(jnp.ones(3))
        _fresh_function()(jnp.ones(3))   # a new wrapper of a new function: from the disk
    assert [e["from_disk"] for e in log if e["fun_name"] == "<lambda>"] == [False, True]
    info = compilation_cache.info()
    assert info["directory"] == str(cache_dir) and info["entries"] >= 1 and info["bytes"] > 0
    assert info["hits"] > before["hits"] and info["writes"] > before["writes"]
    assert compilation_cache.clear() == info["entries"]
    assert compilation_cache.info()["entries"] == 0 and cache_dir.is_dir()


def test_the_options_take_jax_names_env_and_ints_for_floats(tmp_path):
    env = dict(os.environ, JAX_COMPILATION_CACHE_DIR=str(tmp_path),
               JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0.5")
    code = ("import glassbox as gb; c = gb.config; "
            "print(c.compilation_cache_dir, c.persistent_cache_min_compile_time_secs)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == [str(tmp_path), "0.5"]
    with gb.config.override(jax_persistent_cache_min_compile_time_secs=2):
        assert gb.config.persistent_cache_min_compile_time_secs == 2.0
    with gb.config.override(jax_compilation_cache_dir=tmp_path):   # a path object
        assert gb.config.compilation_cache_dir == str(tmp_path)
    with pytest.raises(TypeError, match="compilation_cache_dir"):
        gb.config.update("jax_compilation_cache_dir", 3)
    with pytest.raises(TypeError, match="min_entry_size_bytes"):
        gb.config.update("jax_persistent_cache_min_entry_size_bytes", 1.5)
