"""glassbox: JAX rebuilt in Python so that every transform is visible.

``import glassbox as jax`` and ``import glassbox.numpy as jnp`` run JAX code
and give the same numbers. See the README for a tour.
"""
__version__ = "0.1.0"

from . import config as _config_module  # noqa: F401
from .config import config, enable_x64  # noqa: F401
from .core import Array  # noqa: F401
from .array import ArrayImpl  # noqa: F401
from .api import (ShapeDtypeStruct, block_until_ready, default_backend,  # noqa: F401
                  device_count, device_get, device_put, devices, disable_jit, eval_shape, jit,
                  local_devices, make_jaxpr, typeof)
from .errors import (ConcretizationTypeError, TracerArrayConversionError,  # noqa: F401
                     TracerBoolConversionError, TracerIntegerConversionError,
                     UnexpectedTracerError)
from .autodiff import (grad, hessian, jacfwd, jacobian, jacrev, jvp,  # noqa: F401
                       linear_transpose, linearize, stop_gradient, value_and_grad, vjp)
from .interpreters.batching import vmap  # noqa: F401
from .custom_derivatives import checkpoint, custom_jvp, custom_vjp, remat  # noqa: F401
from . import sharding  # noqa: F401
from . import distributed  # noqa: F401
from .distributed import (local_device_count, process_count, process_index,  # noqa: F401
                          process_indices)
from .array_construction import (make_array_from_callback,  # noqa: F401
                                 make_array_from_process_local_data,
                                 make_array_from_single_device_arrays)
from .sharding import NamedSharding, P, make_mesh, reshard, set_mesh  # noqa: F401
from . import ad_checkpoint, dtypes, events, lax, tree_util, tree, test_util  # noqa: F401
from . import numpy  # noqa: F401
from . import random  # noqa: F401
from . import nn  # noqa: F401
from . import scipy  # noqa: F401
from . import image  # noqa: F401
from . import ops  # noqa: F401  (example_libraries loads on import, as in JAX)
from . import debug  # noqa: F401
from .shard_map import shard_map  # noqa: F401
from .pmap import pmap  # noqa: F401
from . import array_methods as _array_methods

_array_methods.jnp = numpy
del _array_methods


def load_ipython_extension(ipython):
    """``%load_ext glassbox``: the notebook magics and display (see ``glassbox.kernel``)."""
    from .kernel import load_ipython_extension as load  # the core never imports it otherwise
    load(ipython)


def unload_ipython_extension(ipython):
    from .kernel import unload_ipython_extension as unload
    unload(ipython)

# JAX's remaining top-level names (scopes, typing, pytrees, caches, devices)
from .runtime import Device  # noqa: F401,E402
from .dtypes import float0  # noqa: F401,E402
from .api import clear_caches  # noqa: F401,E402
from .custom_derivatives import closure_convert, custom_gradient  # noqa: F401,E402
from .scopes import (debug_nans, default_device, default_matmul_precision, log_compiles,  # noqa: F401,E402
                     ensure_compile_time_eval, named_call, named_scope,
                     numpy_dtype_promotion, numpy_rank_promotion)
from .checkpoint_policies import checkpoint_policies  # noqa: F401,E402
from .refs import Ref, new_ref  # noqa: F401,E402
from . import api_util, errors, flatten_util, stages, typing, experimental  # noqa: F401,E402


def live_arrays(platform=None):
    """Every array alive on this process (JAX's ``jax.live_arrays``)."""
    return _runtime.live_arrays()


def host_count(backend=None):
    """Deprecated alias of ``process_count``."""
    _warnings.warn("jax.process_count has been renamed to jax.process_count. This alias will "
                   "eventually be removed; please update your code.", DeprecationWarning, 2)
    return process_count()


def host_id(backend=None):
    """Deprecated alias of ``process_index``."""
    _warnings.warn("jax.process_index has been renamed to jax.process_index. This alias will "
                   "eventually be removed; please update your code.", DeprecationWarning, 2)
    return process_index()


def host_ids(backend=None):
    """Deprecated alias of ``process_indices``."""
    _warnings.warn("jax.process_indexs has been renamed to jax.process_indices. This alias will "
                   "eventually be removed; please update your code.", DeprecationWarning, 2)
    return process_indices()


import warnings as _warnings  # noqa: E402
from . import runtime as _runtime  # noqa: E402
from .lax.callbacks import pure_callback  # noqa: F401,E402


def install_as_jax():
    """Make every later ``import jax`` resolve to glassbox (see ``glassbox.as_jax``)."""
    from .as_jax import install_as_jax as install   # here: `python -m glassbox.as_jax`
    return install()                                  # must find it not yet imported
