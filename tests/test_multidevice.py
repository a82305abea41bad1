"""Runs tests/multidevice/ in a process of its own with 8 CPU devices.

A process fixes its device count when it makes its first array, and the rest of the
suite runs on one device (the C++ fast paths need it), so the many-device tests get a
fresh interpreter, started as JAX's users start theirs: ``XLA_FLAGS`` set first.
"""
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def _run(target):
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         "--rootdir", str(HERE.parent), str(target)],
        env=env, cwd=HERE.parent, capture_output=True, text=True, timeout=1200)


@pytest.mark.parametrize("module", sorted(p.name for p in (HERE / "multidevice").glob("test_*.py")))
def test_on_8_devices(module):
    result = _run(HERE / "multidevice" / module)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout, result.stdout[-2000:]
