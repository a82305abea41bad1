"""Fixtures for the kernel tests: one real glassbox kernel for the whole session."""
import pytest

from .client import KernelSession
from .kernelspec import ensure_kernelspec


@pytest.fixture(scope="session")
def glassbox_kernel_name(tmp_path_factory):
    """The installed glassbox kernelspec, checked to run this interpreter."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silence jupyter_core's migration warning
        yield ensure_kernelspec(tmp_path_factory.mktemp("jupyter"), patch.setenv)


@pytest.fixture(scope="session")
def kernel(glassbox_kernel_name):
    """A running glassbox kernel, started through jupyter_client, shared by the session."""
    session = KernelSession(glassbox_kernel_name)
    try:
        yield session
    finally:
        session.shutdown()
