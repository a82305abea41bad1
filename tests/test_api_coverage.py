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

# Names not built yet, with the reason: this list may only shrink.
NOT_YET = {
    "lax": {
        **dict.fromkeys(["ragged_all_to_all", "ragged_all_to_all_p"], _SHARDING),
        **dict.fromkeys(["precv", "psend"], "token-ordered send/receive between devices "
                        "(XLA send/recv inside shard_map): not built yet"),
        "device_put_p": "glassbox's device_put is a function, not a primitive, so far",
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
