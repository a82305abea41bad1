"""Write ``jax_api_names.json``: the public names of JAX 0.10.2's numerical modules.

Run once with the real JAX (``.venv-jax/bin/python tests/make_jax_api_names.py``);
``tests/test_api_coverage.py`` compares glassbox's names with the stored list.
"""
import importlib
import inspect
import json
import pathlib

MODULES = ["numpy", "numpy.linalg", "numpy.fft", "lax", "lax.linalg", "random", "nn",
           "nn.initializers", "scipy.special", "scipy.stats", "scipy.linalg", "scipy.signal",
           "scipy.optimize", "scipy.integrate", "scipy.ndimage", "scipy.fft", "scipy.cluster.vq",
           "scipy.interpolate", "scipy.spatial.transform", "scipy.sparse.linalg", "image", "ops",
           "example_libraries.stax", "example_libraries.optimizers"]


# What a module without ``__all__`` merely imported is not its API (example_libraries'
# ``functools``, ``Any``, ``namedtuple``, ``partial``...).
_NOT_API = ("typing", "builtins", "collections", "collections.abc", "functools", "__future__",
            "math")


def _is_api(obj):
    if inspect.ismodule(obj):
        return False
    return getattr(obj, "__module__", None) not in _NOT_API and type(obj).__module__ != "__future__"


def public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if _is_api(getattr(module, n))]
    return sorted(n for n in names if not n.startswith("_"))


def main():
    import jax
    out = {"jax_version": jax.__version__, "modules": {}}
    for name in MODULES:
        module = importlib.import_module(f"jax.{name}")
        out["modules"][name] = public_names(module)
        if name == "scipy.stats":   # each distribution is a module of its own functions
            for sub in sorted(dir(module)):
                if not sub.startswith("_") and inspect.ismodule(getattr(module, sub)):
                    out["modules"][name].append(sub)
                    out["modules"][f"{name}.{sub}"] = public_names(getattr(module, sub))
            out["modules"][name].sort()
    path = pathlib.Path(__file__).with_name("jax_api_names.json")
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
