"""Run code written for JAX on glassbox: after ``install_as_jax()``, ``import jax`` is glassbox.

The hook is one finder, first on ``sys.meta_path``, that answers for ``jax`` and every
``jax.*`` name, and nothing else:

* ``jax`` is a module that forwards every attribute to ``glassbox`` but reports the JAX
  API level glassbox implements as its ``__version__`` (libraries choose code paths by
  it); glassbox's own ``__version__`` stays glassbox's.
* ``jax.X`` is ``glassbox.X``, the same module object, so ``jax.numpy is glassbox.numpy``
  and a primitive registered through ``jax.extend``/``jax.interpreters`` lands in
  glassbox's own rule tables.
* ``jax._src.X`` is ``glassbox.jax_compat.X``: the few private names optax, flax,
  equinox, numpyro and chex import from JAX's internals, kept apart from glassbox's code.

Anything else under ``jax.`` is a ``ModuleNotFoundError`` naming what glassbox lacks;
the real ``jax`` is never looked for. ``python -m glassbox.as_jax script.py [args]``
runs a script with the hook installed; in the notebook kernel it is ``%jax_is_glassbox``.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import sys
import types

import glassbox

JAX_API_VERSION = "0.10.2"   # the JAX release whose API glassbox follows

_PRIVATE_PREFIX = "jax._src"
_COMPAT_PACKAGE = "glassbox.jax_compat"


class _JaxModule(types.ModuleType):
    """``sys.modules['jax']``: glassbox's namespace under JAX's version number."""

    def __getattr__(self, name):
        try:
            return getattr(glassbox, name)
        except AttributeError:
            raise AttributeError(f"module 'jax' (glassbox standing in for it) has no "
                                 f"attribute {name!r}") from None

    def __dir__(self):
        return sorted(set(dir(glassbox)) | set(self.__dict__))


def _versioned(module):
    module.__version__ = module._version = JAX_API_VERSION
    module.__version_info__ = tuple(int(p) for p in JAX_API_VERSION.split("."))
    return module


def _jax_module():
    module = _versioned(_JaxModule("jax", glassbox.__doc__))
    module.__path__ = []              # a package: jax.X is found by the finder below
    module.__file__ = glassbox.__file__
    module.__glassbox__ = True
    return module


def _version_module():
    return _versioned(types.ModuleType("jax.version", "JAX's API level, as glassbox has it."))


# Modules made here rather than found in glassbox: they say which JAX glassbox follows.
_MADE_HERE = {"jax": _jax_module, "jax.version": _version_module}


def glassbox_name(fullname):
    """The glassbox module that stands for JAX's module ``fullname``."""
    if fullname == _PRIVATE_PREFIX or fullname.startswith(_PRIVATE_PREFIX + "."):
        return _COMPAT_PACKAGE + fullname[len(_PRIVATE_PREFIX):]
    return "glassbox" + fullname[len("jax"):]


class _Alias(importlib.abc.Loader):
    """Loads ``jax.X`` by putting the glassbox module in its place in ``sys.modules``.

    The import system re-reads ``sys.modules`` after ``exec_module``, so the name then
    binds to glassbox's module itself, untouched (its ``__name__`` and ``__spec__``
    stay glassbox's)."""

    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        sys.modules[name] = (_MADE_HERE[name]() if name in _MADE_HERE
                             else importlib.import_module(self.target))


class JaxFinder(importlib.abc.MetaPathFinder):
    """The finder ``install_as_jax`` puts first on ``sys.meta_path``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "jax" and not fullname.startswith("jax."):
            return None
        if fullname in _MADE_HERE:
            return importlib.machinery.ModuleSpec(fullname, _Alias(None),
                                                  is_package=fullname == "jax")
        name = glassbox_name(fullname)
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: glassbox stands in for jax here "
                f"(install_as_jax) and has no {name}", name=fullname)
        return importlib.machinery.ModuleSpec(fullname, _Alias(name),
                                              is_package=found.submodule_search_locations
                                              is not None)


def installed():
    """True when ``import jax`` gives glassbox in this process."""
    return any(isinstance(f, JaxFinder) for f in sys.meta_path)


def install_as_jax():
    """Make every later ``import jax`` (``jax.numpy``, ``from jax import lax``...) glassbox.

    Call it before anything imports JAX: libraries written for JAX (optax, flax,
    equinox, numpyro, chex, jaxtyping) then run on glassbox unmodified. Raises
    ``ImportError`` when the real ``jax`` is already imported in this process, since
    its arrays and glassbox's cannot mix. Calling it twice is harmless.
    """
    existing = sys.modules.get("jax")
    if existing is not None and not getattr(existing, "__glassbox__", False):
        where = getattr(existing, "__file__", None) or "an unknown place"
        raise ImportError(
            f"install_as_jax: the real jax is already imported (from {where}); call "
            f"glassbox.install_as_jax() first thing, before any library imports jax, "
            f"or restart the process")
    if not installed():
        sys.meta_path.insert(0, JaxFinder())
        # glassbox's log records (log_compiles...) reach handlers on the "jax" logger,
        # where code written for JAX listens.
        logging.getLogger("glassbox").parent = logging.getLogger("jax")
    return importlib.import_module("jax")


def main(argv=None):
    """``python -m glassbox.as_jax script.py [args]`` / ``-m module [args]``."""
    import runpy
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[0])
        print("usage: python -m glassbox.as_jax script.py [args]\n"
              "       python -m glassbox.as_jax -m module [args]")
        return 0 if argv else 2
    install_as_jax()
    if argv[0] == "-m" and len(argv) > 1:
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":   # run as a script: use the importable module's hook, one copy
    from glassbox.as_jax import main as _main
    sys.exit(_main())
