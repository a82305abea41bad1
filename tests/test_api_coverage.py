"""glassbox has JAX 0.10.2's public names, or says why not.

``jax_api_names.json`` holds the public names of JAX's numerical modules, made
once from the real JAX by ``make_jax_api_names.py``. Every name missing here must
be listed below with its reason, and every listed name must really be missing,
so the lists shrink as names are built. ``python -m tests.test_api_coverage``
prints the coverage per module.
"""
import importlib
import json
import pathlib

import glassbox  # noqa: F401

NAMES = json.loads(pathlib.Path(__file__).with_name("jax_api_names.json").read_text())

# Names that cannot exist in glassbox, with the reason.
CANNOT_EXIST = {}

_SHARDING = "a collective or sharding annotation: the many-devices issue builds these"
_TOKENS = "tokens need a token type that every interpreter understands; not built yet"
_LAPACK = "a LAPACK-backed factorization glassbox does not wrap yet"
_NEEDS_SCHUR = "built on lax.linalg.schur/hessenberg, which glassbox does not have yet"

# Names not built yet, with the reason: this list may only shrink.
NOT_YET = {
    "lax": {
        **dict.fromkeys(["all_to_all", "all_to_all_p", "pbroadcast", "pcast", "ppermute",
                         "ppermute_p", "precv", "psend", "pshuffle", "psum_scatter",
                         "pswapaxes", "ragged_all_to_all", "ragged_all_to_all_p"], _SHARDING),
        **dict.fromkeys(["after_all", "after_all_p", "create_token", "create_token_p"],
                        _TOKENS),
        "device_put_p": "glassbox's device_put is a function, not a primitive, so far",
        "scaled_dot": "block-scaled (microscaling) dot: not built yet",
        "scatter_apply": "scatter with a Python function per element: not built yet",
        "shape_as_value": "dynamic-shape helper: not built yet",
    },
    "lax.linalg": {
        **dict.fromkeys(["cholesky_update", "cholesky_update_p", "hessenberg", "hessenberg_p",
                         "ormqr", "ormqr_p", "schur", "schur_p", "symmetric_product",
                         "symmetric_product_p", "tridiagonal", "tridiagonal_p",
                         "tridiagonal_solve", "tridiagonal_solve_p"], _LAPACK),
        "qdwh": "the QR-based dynamically weighted Halley polar decomposition: not built yet",
        **dict.fromkeys(["EigImplementation", "EighImplementation", "SvdAlgorithm"],
                        "algorithm-choice enums of the factorizations above: not built yet"),
    },
    "scipy.linalg": {
        **dict.fromkeys(["hessenberg", "schur", "solve_sylvester", "sqrtm", "funm"],
                        _NEEDS_SCHUR),
        "qr_multiply": "needs lax.linalg.ormqr: not built yet",
    },
}


def _resolve(module_name):
    """``glassbox.<module_name>``: a module, or a namespace attribute (``scipy.stats.norm``
    may be either), or None."""
    try:
        return importlib.import_module(f"glassbox.{module_name}")
    except ImportError:
        parent, _, leaf = module_name.rpartition(".")
        return getattr(_resolve(parent), leaf, None) if parent else None


def missing_names(module_name):
    """JAX's names in ``jax.<module_name>`` that ``glassbox.<module_name>`` lacks."""
    module = _resolve(module_name)
    return [n for n in NAMES["modules"][module_name] if not hasattr(module, n)]


def coverage():
    """{module: (names glassbox has, names JAX has)}."""
    return {m: (len(names) - len(missing_names(m)), len(names))
            for m, names in NAMES["modules"].items()}


def test_every_missing_name_is_listed_with_its_reason():
    for module_name in NAMES["modules"]:
        missing = set(missing_names(module_name))
        cannot = set(CANNOT_EXIST.get(module_name, {}))
        not_yet = set(NOT_YET.get(module_name, ()))
        assert not (cannot & not_yet), module_name
        unlisted = sorted(missing - cannot - not_yet)
        assert not unlisted, f"jax.{module_name} has {unlisted}, which glassbox lacks"
        built = sorted((cannot | not_yet) - missing)
        assert not built, f"glassbox.{module_name} now has {built}: take them off the list"


def test_the_reasons_are_given():
    for module_name, reasons in [*CANNOT_EXIST.items(), *NOT_YET.items()]:
        assert module_name in NAMES["modules"]
        for name, reason in reasons.items():
            assert isinstance(reason, str) and len(reason) > 10, (module_name, name)


if __name__ == "__main__":
    total_have = total = 0
    for module_name, (have, count) in coverage().items():
        total_have, total = total_have + have, total + count
        print(f"{module_name:34s} {have:4d}/{count:4d}  {have / count:6.1%}")
    print(f"{'all':34s} {total_have:4d}/{total:4d}  {total_have / total:6.1%}")
