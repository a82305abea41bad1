"""Making sure the installed glassbox kernelspec runs *this* interpreter, for the tests.

``make test`` installs it into the virtual environment
(``python -m glassbox.kernel install --sys-prefix``). When pytest runs without
that step, or a spec found first (e.g. a ``--user`` one) points at another
Python, :func:`ensure_kernelspec` installs it into ``sys.prefix`` and, if a
user-level spec would still shadow it, uses a private ``JUPYTER_PATH``.
"""
import os
import shutil
import sys

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

KERNEL_NAME = "glassbox"


def runs_this_python(spec):
    exe = spec.argv[0]
    if exe in ("python", f"python{sys.version_info[0]}"):
        return True   # jupyter_client substitutes its own sys.executable
    found = shutil.which(exe) or exe
    return os.path.realpath(found) == os.path.realpath(sys.executable) or \
        os.path.abspath(exe) == os.path.abspath(sys.executable)


def find_spec(manager=None):
    try:
        return (manager or KernelSpecManager()).get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return None


def ensure_kernelspec(tmp_dir, setenv):
    """The kernelspec name to use; installs or redirects as described above.

    ``setenv(name, value)`` sets an environment variable for the tests (a
    ``pytest.MonkeyPatch``'s ``setenv``), used only when redirecting.
    """
    spec = find_spec()
    if spec is not None and runs_this_python(spec) and _modules_ok(spec):
        return KERNEL_NAME
    from glassbox.kernel.install import install, write_kernel_spec
    if spec is None or spec.resource_dir.startswith(sys.prefix):
        install(sys_prefix=True)
        spec = find_spec()
        if spec is not None and runs_this_python(spec):
            return KERNEL_NAME
    # Something earlier on Jupyter's path shadows sys.prefix: put ours first.
    write_kernel_spec(os.path.join(tmp_dir, "kernels", KERNEL_NAME))
    setenv("JUPYTER_PATH", str(tmp_dir))
    return KERNEL_NAME


def _modules_ok(spec):
    return spec.argv[1:3] == ["-m", "glassbox.kernel"]
