"""Tests on 8 CPU devices in one process (``test_multidevice.py`` starts pytest here in a
process of its own, with ``XLA_FLAGS=--xla_force_host_platform_device_count=8``)."""
import pytest

import glassbox
from glassbox.sharding import AxisType, make_mesh

glassbox.config.update("check_jaxprs", True)
assert glassbox.device_count() == 8, "run through tests/test_multidevice.py (8 CPU devices)"


@pytest.fixture
def mesh():
    """A 4 x 2 mesh with Auto axes (XLA propagates shardings)."""
    return make_mesh((4, 2), ("x", "y"), axis_types=(AxisType.Auto,) * 2)


@pytest.fixture
def mesh1d():
    return make_mesh((8,), ("i",), axis_types=(AxisType.Auto,))
