"""``GlassboxKernel``: ipykernel's IPython kernel with glassbox loaded and named.

A thin subclass, as ipykernel's own kernels are: it changes the kernel's name,
banner and language info, loads the glassbox extension (magics, display,
short tracebacks), puts ``gb`` (glassbox) and ``gnp`` (glassbox.numpy) in
the notebook namespace, and turns the persistent compilation cache on (in
``~/.cache/glassbox/xla``, every executable: a restarted notebook loads what it
compiled before), unless ``JAX_COMPILATION_CACHE_DIR`` names another place or
``GLASSBOX_KERNEL_CACHE=0``. Shift-Tab (the inspect request) adds what glassbox
knows of the name under the cursor (``inspection.py``). Everything else
(execution, completion, interrupts, the debugger) is ipykernel's.

Starting without ``gb``/``gnp``: set the environment variable
``GLASSBOX_KERNEL_NAMESPACE=0`` (e.g. in the kernelspec's ``env``) or the
traitlets option ``GlassboxKernel.inject_namespace = False`` (in
``ipython_kernel_config.py`` or ``--GlassboxKernel.inject_namespace=False``).
"""
import os
import sys

from ipykernel.ipkernel import IPythonKernel
from traitlets import Bool, List

import glassbox
import glassbox.numpy

from . import inspection
from .extension import load

NAMESPACE_ENV = "GLASSBOX_KERNEL_NAMESPACE"
CACHE_ENV = "GLASSBOX_KERNEL_CACHE"
NAMESPACE = {"gb": glassbox, "gnp": glassbox.numpy}


def namespace_wanted(default=True):
    """The environment variable wins over the config option; ``0``, ``false``, ``no``, ``off``
    (or empty) turn the namespace off."""
    value = os.environ.get(NAMESPACE_ENV)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "glassbox", "xla")


def turn_on_compilation_cache():
    """The kernel's default: cache every executable on disk (JAX's default threshold of
    one second of compiling would skip almost everything a notebook compiles)."""
    if os.environ.get(CACHE_ENV, "1").strip().lower() in ("0", "false", "no", "off", ""):
        return
    if glassbox.config.compilation_cache_dir is None:   # JAX_COMPILATION_CACHE_DIR wins
        glassbox.config.update("jax_compilation_cache_dir", default_cache_dir())
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:
        glassbox.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def banner(namespace=True):
    python = sys.version.split()[0]
    lines = [f"glassbox {glassbox.__version__}: JAX rebuilt in Python so every transform is "
             f"visible (Python {python}, jaxlib {glassbox.runtime.jaxlib_version()})"]
    if namespace:
        lines.append("gb = glassbox, gnp = glassbox.numpy are ready.")
    lines.append("Magics: %%jit, %jaxpr EXPR, %hlo EXPR, %graph EXPR, %devices, %gb_config. "
                 "Errors hide glassbox's frames; %tb shows them.")
    return "\n".join(lines) + "\n"


class GlassboxKernel(IPythonKernel):
    """The glassbox kernel (kernelspec name ``glassbox``)."""

    implementation = "glassbox"
    implementation_version = glassbox.__version__
    language_info = dict(IPythonKernel.language_info, glassbox_version=glassbox.__version__)

    inject_namespace = Bool(
        True, help="Put gb (glassbox) and gnp (glassbox.numpy) in the notebook namespace at "
                   "start (the environment variable GLASSBOX_KERNEL_NAMESPACE=0 turns it off)."
    ).tag(config=True)

    help_links = List([
        {"text": "JAX documentation (glassbox follows its API)",
         "url": "https://docs.jax.dev/en/latest/"},
        {"text": "Python Reference", "url": "https://docs.python.org/%i.%i" % sys.version_info[:2]},
        {"text": "IPython Reference", "url": "https://ipython.readthedocs.io/en/stable/"},
        {"text": "NumPy Reference", "url": "https://numpy.org/doc/stable/reference/"},
    ]).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        load(self.shell)
        turn_on_compilation_cache()
        self._namespace = namespace_wanted(self.inject_namespace)
        if self._namespace:
            # interactive=False: like %pylab's names, hidden from %who and %reset's listing
            self.shell.push(dict(NAMESPACE), interactive=False)

    async def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        """IPython's reply, with the aval of a traced name, an Array's layout or a jitted
        function's cache added (``inspection.py``)."""
        loaded = getattr(self.shell, "_glassbox_extension", None)
        traces = loaded.traces if loaded is not None else inspection.TraceLog()
        return await inspection.inspect_reply(self, traces, super().do_inspect, code,
                                              cursor_pos, detail_level, omit_sections)

    do_inspect.glassbox_inspect = True   # inspection.install leaves this kernel alone

    @property
    def banner(self):
        return banner(self._namespace)
