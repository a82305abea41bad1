import os
import tempfile

import numpy as np
import pytest

import glassbox

# Every jaxpr traced in the tests is checked: each equation's recorded types must be what
# its shape rule gives (a wrong rule or a transform that mislabels a value fails here).
glassbox.config.update("check_jaxprs", True)

# The kernels the tests start keep their compilation cache (on by default in the glassbox
# kernel, under $XDG_CACHE_HOME/glassbox/xla) in a directory of this run, not the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="glassbox-test-cache-")


@pytest.fixture
def rng():
    return np.random.default_rng(0)

# tests/multidevice/ needs 8 CPU devices, which a process fixes before its first array:
# test_multidevice.py runs it in a process of its own.
collect_ignore = ["multidevice"]
