"""glassbox.kernel: the glassbox IPython kernel, its notebook magics and rich display.

Two ways in:

* the **glassbox kernel** (pick "glassbox" in JupyterLab): an ipykernel whose
  shell has the extension below loaded and ``gb`` (glassbox) and ``gnp``
  (glassbox.numpy) already imported. Install its kernelspec with
  ``python -m glassbox.kernel install [--user|--sys-prefix|--prefix P] [--name N]``
  (``pip install`` also ships it as wheel data). Set the environment variable
  ``GLASSBOX_KERNEL_NAMESPACE=0`` (or ``GlassboxKernel.inject_namespace=False``)
  to start with an empty namespace.
* the **extension** in any IPython or ipykernel: ``%load_ext glassbox``. It adds
  ``%%jit``, ``%jaxpr``, ``%hlo``, ``%graph``, ``%devices``, ``%gb_config``, HTML
  display of arrays and compiled functions, and short tracebacks that hide
  glassbox's internal frames (``%tb`` shows the full one).

All magics live in :mod:`glassbox.kernel.magics`; :mod:`glassbox.kernel.cells`
turns an expression or cell into a function of the arrays it reads. The kernel
imports ``glassbox.widgets`` (for ``%graph`` and ``%%jit --show graph``) only
when a view is drawn; the widgets never import the kernel.

Importing this package is cheap: IPython is imported only when the extension
loads.
"""
from glassbox import source_info as _source_info

# Frames in this package are glassbox's, not the user's: errors point past them
# at the notebook line, and tracebacks hide them.
_source_info.add_library_dir(__file__)

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(shell):
    """Register glassbox's magics, display formatters and traceback filter on ``shell``.

    Loading twice does nothing the second time.
    """
    from .extension import load
    load(shell)


def unload_ipython_extension(shell):
    """Undo :func:`load_ipython_extension` (the magics stay registered, as IPython has no
    way to remove them)."""
    from .extension import unload
    unload(shell)
