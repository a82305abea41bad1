"""Dependencies inside the core point one way: each module imports only from its own
layer or the layers below (read from the source with ``ast``; nothing is imported).

The layers, bottom to top (the README's "Layout" section describes them):

  0 the IR and foundations: avals, jaxprs, primitives and their rule tables, dtypes,
    config, pytrees, printing, errors, events, and the runtime (the only jaxlib caller)
  1 the interpreters: tracing, dispatch, lowering, ad, batching
  2 the call primitives and their wrappers: jit objects, custom rules, remat
  3 the primitive families: lax, and the threefry primitive
  4 the libraries built from primitives: numpy, random
  5 the user-facing transforms and the package itself
  6 kernel/ and widgets/, outside the core (tests/kernel/test_layering.py checks them)

An import inside a function hides a dependency from the reader and from this test:
every one must be listed in ``FUNCTION_IMPORTS`` with its reason. A lower layer that
needs something from a higher one declares a table and lets the higher layer fill it
(``ad.aval_zeros_likers``, ``batching.layout_ops``, ``core.set_default_impl``): rules
are data.
"""
import pathlib

from .import_reader import import_statements

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORE = ROOT / "core"

LAYER_NAMES = {0: "IR and foundations", 1: "interpreters", 2: "call primitives",
               3: "primitive families", 4: "libraries", 5: "user API", 6: "notebook"}

# Every module under core/ (its path there) and its layer. A new module goes here.
LAYERS = {
    # 0: the IR and foundations
    "core.py": 0, "dtypes.py": 0, "config.py": 0, "source_info.py": 0, "errors.py": 0,
    "events.py": 0, "tree_util.py": 0, "tree.py": 0, "pretty.py": 0, "array_methods.py": 0,
    "traceback_util.py": 0, "runtime.py": 0, "array.py": 0, "compilation_cache.py": 0,
    "sharding.py": 0, "distributed.py": 0, "array_construction.py": 0,
    "typing.py": 0, "checkpoint_policies.py": 0, "refs.py": 0,
    # 1: the interpreters
    "interpreters/__init__.py": 1, "interpreters/tracing.py": 1,
    "interpreters/dispatch.py": 1, "interpreters/lowering.py": 1, "interpreters/ad.py": 1,
    "interpreters/batching.py": 1, "interpreters/mlir.py": 1,
    "interpreters/partial_eval.py": 1,
    # 2: the call primitives and their wrappers
    "call_primitives.py": 2, "api.py": 2, "custom_derivatives.py": 2, "ad_checkpoint.py": 2,
    "scopes.py": 2,
    # 3: the primitive families
    "lax/__init__.py": 3, "lax/_families.py": 3, "lax/_control_flow.py": 3,
    "lax/elementwise.py": 3, "lax/transcendental.py": 3, "lax/bitwise.py": 3,
    "lax/shape.py": 3, "lax/slicing.py": 3, "lax/scatter.py": 3, "lax/reductions.py": 3,
    "lax/dot.py": 3, "lax/sort.py": 3, "lax/linalg/__init__.py": 3, "lax/linalg/_lapack.py": 3,
    "lax/linalg/cholesky.py": 3, "lax/linalg/triangular.py": 3, "lax/linalg/lu.py": 3,
    "lax/linalg/qr.py": 3, "lax/linalg/eigen.py": 3, "lax/linalg/svd.py": 3,
    "lax/linalg/condensed.py": 3, "lax/linalg/tridiagonal_solve.py": 3,
    "lax/linalg/polar.py": 3,
    "lax/parallel.py": 3,
    "lax/constraints.py": 3, "lax/typed_shardings.py": 3,
    "lax/conditionals.py": 3, "lax/scans.py": 3, "lax/loops.py": 3, "lax/associative.py": 3,
    "lax/convolution.py": 3, "lax/windowed.py": 3, "lax/special.py": 3,
    "lax/fft.py": 3,
    "lax/solvers.py": 3, "lax/pieces.py": 3, "lax/misc.py": 3, "lax/dot_more.py": 3,
    "lax/tokens.py": 3, "lax/rest.py": 3, "lax/callbacks.py": 3, "lax/checks.py": 3,
    "random/threefry.py": 3,
    # 4: the libraries built from primitives (random_gamma_p is defined here: its rules
    # use jnp and the samplers of random/distributions.py)
    "numpy/__init__.py": 4, "numpy/_util.py": 4, "numpy/creation.py": 4,
    "numpy/dtype_api.py": 4, "numpy/indexing.py": 4, "numpy/linalg.py": 4,
    "numpy/manipulation.py": 4, "numpy/padding.py": 4, "numpy/products.py": 4,
    "numpy/reductions.py": 4, "numpy/sorting.py": 4, "numpy/ufuncs.py": 4,
    "numpy/ufuncs_logic.py": 4,
    "numpy/calculus.py": 4, "numpy/histograms.py": 4, "numpy/index_tricks.py": 4,
    "numpy/functional.py": 4, "numpy/selection.py": 4, "numpy/setops.py": 4,
    "numpy/polynomial.py": 4, "numpy/special_math.py": 4, "numpy/windows.py": 4,
    "numpy/assembly.py": 4, "numpy/printing.py": 4,
    "numpy/fft.py": 4, "scipy/fft.py": 4, "scipy/signal.py": 4, "image.py": 4,
    "random/__init__.py": 4, "random/keys.py": 4, "random/distributions.py": 4,
    "random/gamma.py": 4, "random/more_distributions.py": 4,
    "ops.py": 4, "flatten_util.py": 4, "example_libraries/__init__.py": 4, "example_libraries/stax.py": 4,
    "example_libraries/optimizers.py": 4,
    "nn/__init__.py": 4, "nn/functions.py": 4, "nn/attention.py": 4,
    "nn/initializers.py": 4, "nn/scaled.py": 4,
    "scipy/linalg.py": 4, "scipy/special_matrices.py": 4, "scipy/schur_forms.py": 4,
    "scipy/_linalg_util.py": 4, "scipy/__init__.py": 4,
    "scipy/special/__init__.py": 4, "scipy/special/_util.py": 4, "scipy/special/gamma.py": 4,
    "scipy/special/error_functions.py": 4, "scipy/special/logistic.py": 4,
    "scipy/special/bessel.py": 4, "scipy/special/zeta.py": 4, "scipy/special/integrals.py": 4,
    "scipy/special/hypergeometric.py": 4, "scipy/special/spherical.py": 4,
    "scipy/sparse/__init__.py": 4, "scipy/sparse/linalg.py": 4,
    "scipy/stats/__init__.py": 4, "scipy/stats/_util.py": 4, "scipy/stats/_core.py": 4,
    "scipy/stats/kde.py": 4, "scipy/stats/norm.py": 4, "scipy/stats/beta.py": 4,
    "scipy/stats/betabinom.py": 4, "scipy/stats/binom.py": 4, "scipy/stats/bernoulli.py": 4,
    "scipy/stats/cauchy.py": 4, "scipy/stats/chi2.py": 4, "scipy/stats/dirichlet.py": 4,
    "scipy/stats/expon.py": 4, "scipy/stats/gamma.py": 4, "scipy/stats/gennorm.py": 4,
    "scipy/stats/geom.py": 4, "scipy/stats/gumbel_l.py": 4, "scipy/stats/gumbel_r.py": 4,
    "scipy/stats/laplace.py": 4, "scipy/stats/logistic.py": 4,
    "scipy/stats/multinomial.py": 4, "scipy/stats/multivariate_normal.py": 4,
    "scipy/stats/nbinom.py": 4, "scipy/stats/pareto.py": 4, "scipy/stats/poisson.py": 4,
    "scipy/stats/t.py": 4, "scipy/stats/truncnorm.py": 4, "scipy/stats/uniform.py": 4,
    "scipy/stats/vonmises.py": 4, "scipy/stats/wrapcauchy.py": 4,
    "scipy/optimize.py": 4, "scipy/integrate.py": 4, "scipy/ndimage.py": 4,
    # glassbox.extend (jax.extend): over the interpreters, call primitives and every
    # primitive family (extend.core.primitives names them all, random_gamma_p included)
    "extend/__init__.py": 4, "extend/core/__init__.py": 4, "extend/core/primitives.py": 4,
    "extend/linear_util.py": 4, "extend/source_info_util.py": 4, "extend/backend.py": 4,
    "scipy/interpolate.py": 4, "scipy/cluster/__init__.py": 4, "scipy/cluster/vq.py": 4,
    "scipy/spatial/__init__.py": 4, "scipy/spatial/transform.py": 4,
    "debug.py": 4, "debugger.py": 4, "experimental/__init__.py": 4, "experimental/multihost_utils.py": 4,
    "shard_map.py": 3, "pmap.py": 4, "experimental/shard_map.py": 4,
    "experimental/checkify.py": 4, "experimental/sparse.py": 4,
    "experimental/layout.py": 4, "experimental/hijax.py": 4,
    # 5: the user-facing transforms and the package
    "autodiff.py": 5, "test_util.py": 5, "__init__.py": 5,
    # `import jax` as glassbox, and the private JAX names libraries import (jax._src)
    "api_util.py": 4, "stages.py": 2,
    "as_jax.py": 5, **{f"jax_compat/{m}": 5 for m in (
        "__init__.py", "checkify.py", "compiler.py", "core.py", "dispatch.py", "dtypes.py",
        "interpreters/__init__.py", "interpreters/pxla.py", "literals.py",
        "state/__init__.py", "state/types.py", "traceback_util.py", "tree_util.py",
        "xla_bridge.py")},
}
# Packages outside core/ that share the namespace: above every core layer.
OUTSIDE = {"glassbox.kernel": 6, "glassbox.widgets": 6}

# (module, enclosing function, imported module) -> why it is imported there.
FUNCTION_IMPORTS = {
    ("__init__.py", "load_ipython_extension", "glassbox.kernel"):
        "%load_ext glassbox: the one place the core names the kernel, so importing "
        "glassbox never loads IPython",
    ("__init__.py", "unload_ipython_extension", "glassbox.kernel"):
        "the matching unload hook of %load_ext glassbox",
    ("__init__.py", "install_as_jax", "glassbox.as_jax"):
        "`python -m glassbox.as_jax` must find glassbox.as_jax not yet imported when the "
        "package is (runpy warns otherwise)",
    ("core.py", "__repr__", "glassbox.pretty"):
        "printing a jaxpr equation: pretty.py reads the IR classes defined in core.py",
    ("core.py", "__str__", "glassbox.pretty"):
        "printing a jaxpr: pretty.py reads the IR classes defined in core.py",
    ("core.py", "_repr_html_", "glassbox.pretty"):
        "a jaxpr's HTML view in notebooks: pretty.py reads the IR classes defined here",
    ("scipy/optimize.py", "value_and_grad", "glassbox.autodiff"):
        "minimize differentiates the objective; autodiff (layer 5) sits above the scipy "
        "library (layer 4)",
}


def module_name(relative):
    """``lax/shape.py`` -> ``glassbox.lax.shape``; ``lax/__init__.py`` -> ``glassbox.lax``."""
    parts = pathlib.PurePosixPath(relative).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("glassbox",) + parts)


MODULES = {module_name(path): layer for path, layer in LAYERS.items()}


def layer_of(name):
    """The layer of an imported module, or None for a name that is not a module."""
    for outside, layer in OUTSIDE.items():
        if name == outside or name.startswith(outside + "."):
            return layer
    return MODULES.get(name)


def imports(relative, source):
    """``(imported glassbox module, enclosing function or None, line)`` for every import.

    ``from . import lax`` counts as importing ``glassbox.lax``, not the package it is
    read from; ``from .core import Array`` as importing ``glassbox.core``.
    """
    package = module_name(relative)
    if not relative.endswith("__init__.py"):
        package = package.rpartition(".")[0]
    found = []
    for base, names, function, line in import_statements(source, package):
        if base is not None:
            names = [f"{base}.{n}" if layer_of(f"{base}.{n}") is not None else base
                     for n in names]
        for name in dict.fromkeys(names):
            if name == "glassbox" or name.startswith("glassbox."):
                found.append((_known(name), function, line))
    return found


def _known(name):
    """The longest prefix of ``name`` that is a core module (``glassbox.lax.shape.x`` ->
    ``glassbox.lax.shape``), or the package outside the core it belongs to."""
    for outside in OUTSIDE:
        if name == outside or name.startswith(outside + "."):
            return outside
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if layer_of(prefix) is not None:
            return prefix
    return name


def problems(relative, source):
    """What is wrong with the imports of one module (an empty list when nothing is)."""
    own = LAYERS[relative]
    bad = []
    for name, function, line in imports(relative, source):
        where = f"core/{relative}:{line}"
        layer = layer_of(name)
        if function is not None:
            if (relative, function, name) not in FUNCTION_IMPORTS:
                bad.append(f"{where}: imports {name} inside {function}(); move it to the top "
                           f"of the module, or, if it cannot be, list it with its reason in "
                           f"FUNCTION_IMPORTS in tests/test_layers.py")
        elif layer is not None and layer > own:
            bad.append(f"{where}: layer {own} ({LAYER_NAMES[own]}) imports {name}, layer "
                       f"{layer} ({LAYER_NAMES[layer]}); let the higher layer fill a table "
                       f"declared below instead")
    return bad


def core_modules():
    return sorted(path.relative_to(CORE).as_posix() for path in CORE.rglob("*.py"))


def test_every_core_module_has_a_layer():
    missing = [m for m in core_modules() if m not in LAYERS]
    assert missing == [], (f"modules with no layer: {missing}; add each to LAYERS in "
                           f"tests/test_layers.py (and to the README's Layout section)")
    gone = [m for m in LAYERS if m not in core_modules()]
    assert gone == [], f"LAYERS names modules that no longer exist: {gone}"


def test_imports_point_down_and_function_level_imports_are_listed():
    bad = []
    for relative in core_modules():
        if relative in LAYERS:
            bad.extend(problems(relative, (CORE / relative).read_text()))
    assert bad == [], "\n".join(bad)


def test_every_listed_function_level_import_is_still_there():
    found = set()
    for relative in core_modules():
        for name, function, _ in imports(relative, (CORE / relative).read_text()):
            if function is not None:
                found.add((relative, function, name))
    stale = sorted(set(FUNCTION_IMPORTS) - found)
    assert stale == [], f"FUNCTION_IMPORTS lists imports that are gone: {stale}"


def test_the_checker_sees_every_spelling():
    """The rule is only as good as the reader of the source."""
    sample = ("from .. import lax\nimport glassbox.numpy\nfrom ..autodiff import grad\n"
              "from . import ad\nfrom .. import dtypes\n"
              "def f():\n    from ..core import Literal\n"
              "    def g():\n        from . import batching\n")
    assert [(n, f) for n, f, _ in imports("interpreters/ad.py", sample)] == [
        ("glassbox.lax", None), ("glassbox.numpy", None), ("glassbox.autodiff", None),
        ("glassbox.interpreters.ad", None), ("glassbox.dtypes", None),
        ("glassbox.core", "f"), ("glassbox.interpreters.batching", "f")]
    bad = problems("interpreters/ad.py", sample)
    assert len(bad) == 5, bad
    assert "layer 1 (interpreters) imports glassbox.lax, layer 3" in bad[0]
    assert "glassbox.numpy, layer 4" in bad[1] and "glassbox.autodiff, layer 5" in bad[2]
    assert "imports glassbox.core inside f()" in bad[3]
    assert "imports glassbox.interpreters.batching inside f()" in bad[4]
    assert imports("lax/__init__.py", "from .shape import *\n")[0][0] == "glassbox.lax.shape"
    assert imports("numpy/creation.py", "from .. import numpy as jnp\n")[0][0] == \
        "glassbox.numpy"
    hook = "def load_ipython_extension(ip):\n    from .kernel import load_ipython_extension\n"
    assert problems("__init__.py", hook) == []
    assert problems("api.py", hook) != []
    assert problems("core.py", "from .interpreters.dispatch import apply_primitive\n") != []
