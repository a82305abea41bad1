"""Installing the glassbox kernelspec: ``python -m glassbox.kernel install``.

``pip install glassbox`` already puts a kernelspec in
``<prefix>/share/jupyter/kernels/glassbox/`` (wheel data; it runs ``python``,
which Jupyter resolves to its own interpreter). Installing explicitly writes
one that names *this* interpreter, so the kernel runs in this environment
whichever Jupyter starts it::

    python -m glassbox.kernel install               # this virtual env (or --user outside one)
    python -m glassbox.kernel install --user        # ~/.local/share/jupyter/kernels/
    python -m glassbox.kernel install --sys-prefix  # sys.prefix/share/jupyter/kernels/
    python -m glassbox.kernel install --prefix P    # P/share/jupyter/kernels/
    python -m glassbox.kernel install --name gb-dev --display-name "glassbox (dev)"
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resources")
KERNEL_NAME = "glassbox"


def kernel_spec(python=None, display_name=None, env=None):
    """The ``kernel.json`` contents, running ``python`` (default: this interpreter)."""
    with open(os.path.join(RESOURCES, "kernel.json")) as f:
        spec = json.load(f)
    spec["argv"][0] = python or sys.executable
    if display_name:
        spec["display_name"] = display_name
    if env:
        spec["env"] = dict(env)
    return spec


def write_kernel_spec(path, python=None, display_name=None, env=None):
    """Write a kernelspec folder (``kernel.json`` and the logos) at ``path``; returns it."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(RESOURCES):
        if name != "kernel.json":
            shutil.copy(os.path.join(RESOURCES, name), os.path.join(path, name))
    with open(os.path.join(path, "kernel.json"), "w") as f:
        json.dump(kernel_spec(python, display_name, env), f, indent=1)
        f.write("\n")
    return path


def in_virtualenv():
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix)


def install(user=False, sys_prefix=False, prefix=None, name=KERNEL_NAME, display_name=None,
            env=None):
    """Install the kernelspec with jupyter_client; returns the folder it went to.

    With no location given: ``sys.prefix`` inside a virtual environment, else
    the user's Jupyter folder.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    if sum([bool(user), bool(sys_prefix), prefix is not None]) > 1:
        raise ValueError("choose at most one of user, sys_prefix and prefix")
    if not (user or sys_prefix or prefix):
        sys_prefix, user = in_virtualenv(), not in_virtualenv()
    if sys_prefix:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as tmp:
        source = write_kernel_spec(os.path.join(tmp, name), display_name=display_name, env=env)
        return KernelSpecManager().install_kernel_spec(source, kernel_name=name, user=user,
                                                       prefix=prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m glassbox.kernel install",
        description="Install the glassbox Jupyter kernelspec for this Python interpreter.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for the current user only")
    where.add_argument("--sys-prefix", action="store_true",
                       help=f"into this environment ({sys.prefix})")
    where.add_argument("--prefix", metavar="PREFIX", help="under PREFIX/share/jupyter/kernels")
    parser.add_argument("--name", default=KERNEL_NAME,
                        help=f"kernelspec name (default: {KERNEL_NAME})")
    parser.add_argument("--display-name", help="name shown in Jupyter (default: glassbox)")
    parser.add_argument("--env", action="append", default=[], metavar="VAR=VALUE",
                        help="environment variable for the kernel, e.g. "
                             "GLASSBOX_KERNEL_NAMESPACE=0 (repeatable)")
    args = parser.parse_args(argv)
    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--env takes VAR=VALUE, got {item!r}")
        env[key] = value
    path = install(user=args.user, sys_prefix=args.sys_prefix, prefix=args.prefix,
                   name=args.name, display_name=args.display_name, env=env or None)
    print(f"Installed the {args.name!r} kernelspec in {path}")
    return 0
