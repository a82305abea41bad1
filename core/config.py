"""The one documented configuration object, ``glassbox.config``.

Options mirror JAX's (``config.update("jax_enable_x64", True)`` works), and
every option can be read as an attribute and overridden for a block::

    with glassbox.config.override(enable_x64=True):
        ...

Options:
    enable_x64:        64-bit types (float64, int64, ...). Off by default, as in
                       JAX: Python floats become float32, ints int32.
    debug_nans:        after every eager op and jit call, raise FloatingPointError
                       if a floating output contains NaN.
    disable_jit:       run ``jit``-decorated functions eagerly (for debugging).
    check_jaxprs:      re-run shape/dtype inference on every traced jaxpr.
    cpu_device_count:  how many CPU devices the runtime creates (must be set
                       before the first array is made).
    interruptible_waits: wait for XLA so that SIGINT (Ctrl-C, a notebook's stop
                       button) interrupts a long computation, at the cost of a
                       thread handoff per wait (tens of µs). Off by default, as
                       in JAX; the glassbox kernel and ``%load_ext glassbox``
                       turn it on.
    compilation_cache_dir: a directory where compiled executables are kept across
                       processes (the persistent compilation cache, JAX's
                       ``jax_compilation_cache_dir``; env JAX_COMPILATION_CACHE_DIR).
                       None (the default) turns it off; the glassbox kernel turns
                       it on (see ``glassbox.compilation_cache``).
    persistent_cache_min_compile_time_secs: only executables that took at least
                       this long to compile are written (default 1.0, as JAX).
    persistent_cache_min_entry_size_bytes: ... and are at least this large (0).
    cpu_collectives_implementation: how processes joined by
                       ``glassbox.distributed.initialize`` exchange data in
                       collectives: "gloo" (the default, as JAX; TCP).
    numpy_dtype_promotion: "standard" (JAX's lattice) or "strict" (only Python
                       scalars promote; mixing two dtypes is a TypePromotionError).
    numpy_rank_promotion: "allow" (default), "warn" or "raise" when a jnp binary
                       function broadcasts operands of different ranks.
    default_matmul_precision: None (default) or a precision name ("highest",
                       "float32", ...); recorded, as XLA on CPU computes in full
                       precision whatever it says.
    default_device:    None (the first device) or a jaxlib ``Device`` that new
                       arrays are put on.
    traceback_filtering: how errors hide glassbox's own frames (see
                       ``glassbox.traceback_util``): "auto" (default), "off",
                       "tracebackhide", "remove_frames" or "quiet_remove_frames".
"""
import os
from contextlib import contextmanager

_DEFAULTS = {
    "enable_x64": False,
    "debug_nans": False,
    "log_compiles": False,
    "disable_jit": False,
    "check_jaxprs": False,
    "cpu_device_count": 1,
    "traceback_filtering": "auto",
    "interruptible_waits": False,
    # As JAX, these three also read their environment variable (JAX_ + upper case).
    "compilation_cache_dir": os.environ.get("JAX_COMPILATION_CACHE_DIR") or None,
    "persistent_cache_min_compile_time_secs":
        float(os.environ.get("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", 1.0)),
    "persistent_cache_min_entry_size_bytes":
        int(os.environ.get("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", 0)),
    # Collectives between processes (glassbox.distributed); read when the client is made.
    "cpu_collectives_implementation": "gloo",
    "numpy_dtype_promotion": "standard",
    "numpy_rank_promotion": "allow",
    "default_matmul_precision": None,
    "default_device": None,
}
# The types an option takes where its default's type does not say (ints are floats, as
# in JAX; a directory may be a path object or None).
_TYPES = {"compilation_cache_dir": (str, os.PathLike, type(None)),
          "persistent_cache_min_compile_time_secs": (float, int),
          "cpu_collectives_implementation": (str, type(None)),
          "default_matmul_precision": (str, type(None)),
          "default_device": (object,)}
# Options that take one of a few strings.
_CHOICES = {"traceback_filtering": ("auto", "off", "tracebackhide", "remove_frames",
                                    "quiet_remove_frames"),
            "cpu_collectives_implementation": ("gloo", "mpi", "megascale", None),
            "numpy_dtype_promotion": ("standard", "strict"),
            "numpy_rank_promotion": ("allow", "warn", "raise"),
            "default_matmul_precision": (None, "default", "high", "highest", "bfloat16",
                                         "tensorfloat32", "float32", "ANY_F8_ANY_F8_F32",
                                         "ANY_F8_ANY_F8_F32_FAST_ACCUM", "ANY_F8_ANY_F8_ANY",
                                         "ANY_F8_ANY_F8_ANY_FAST_ACCUM", "F16_F16_F16",
                                         "F16_F16_F32", "BF16_BF16_BF16", "BF16_BF16_F32",
                                         "BF16_BF16_F32_X3", "BF16_BF16_F32_X6",
                                         "BF16_BF16_F32_X9", "TF32_TF32_F32",
                                         "TF32_TF32_F32_X3", "F32_F32_F32", "F64_F64_F64")}


def _normalized(key, value):
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return float(value) if isinstance(_DEFAULTS[key], float) else value


class Config:
    def __init__(self):
        object.__setattr__(self, "_values", dict(_DEFAULTS))
        object.__setattr__(self, "_watchers", [])
        # Options are also plain attributes: the dispatch path reads them on every call.
        for key, value in _DEFAULTS.items():
            object.__setattr__(self, key, value)

    @staticmethod
    def _canonical(name):
        key = name[4:] if name.startswith("jax_") else name
        if key == "num_cpu_devices":
            key = "cpu_device_count"
        if key not in _DEFAULTS:
            known = ", ".join(sorted(_DEFAULTS))
            raise AttributeError(f"glassbox.config has no option {name!r}; options are: {known}")
        return key

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._values[self._canonical(name)]

    def __setattr__(self, name, value):
        self.update(name, value)

    def update(self, name, value):
        """Set option ``name`` (with or without JAX's ``jax_`` prefix) to ``value``."""
        key = self._canonical(name)
        types = _TYPES.get(key)
        if types is None and type(value) is not type(_DEFAULTS[key]):
            raise TypeError(f"glassbox.config.{key} takes a {type(_DEFAULTS[key]).__name__}, "
                            f"got {value!r}")
        if types is not None:
            if not isinstance(value, types) or type(value) is bool:
                raise TypeError(f"glassbox.config.{key} takes one of "
                                f"{', '.join(t.__name__ for t in types)}, got {value!r}")
            value = _normalized(key, value)
        if key in _CHOICES and value not in _CHOICES[key]:
            raise ValueError(f"glassbox.config.{key} must be one of "
                             f"{', '.join(map(repr, _CHOICES[key]))}; got {value!r}")
        old = self._values[key]
        for watcher in self._watchers:   # validators: may refuse before anything changes
            watcher(key, old, value)
        self._values[key] = value
        object.__setattr__(self, key, value)

    def read(self, name):
        return self._values[self._canonical(name)]

    def values(self):
        """A copy of every option and its current value."""
        return dict(self._values)

    @contextmanager
    def override(self, **options):
        """Temporarily set options inside a ``with`` block."""
        saved = {self._canonical(k): self._values[self._canonical(k)] for k in options}
        try:
            for k, v in options.items():
                self.update(k, v)
            yield self
        finally:
            for k, v in saved.items():
                self.update(k, v)

    def __repr__(self):
        body = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"glassbox.config({body})"


config = Config()


def enable_x64(new_val=True):
    """Context manager that turns 64-bit types on (or off) for a block."""
    return config.override(enable_x64=new_val)
