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
