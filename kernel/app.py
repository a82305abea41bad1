"""``GlassboxKernelApp``: ipykernel's kernel application, starting a ``GlassboxKernel``.

Run by the kernelspec as ``python -m glassbox.kernel -f {connection_file}``.
"""
from ipykernel.kernelapp import IPKernelApp
from traitlets import Type

from .kernel import GlassboxKernel


class GlassboxKernelApp(IPKernelApp):
    """The application that hosts the glassbox kernel (all of ipykernel's options apply)."""

    name = "glassbox-kernel"
    description = "The glassbox IPython kernel (glassbox loaded, gb and gnp imported)."
    kernel_class = Type(GlassboxKernel, klass="ipykernel.kernelbase.Kernel",
                        help="The kernel class to start.").tag(config=True)


def main(argv=None):
    """Start the kernel (blocks until it shuts down)."""
    GlassboxKernelApp.launch_instance(argv=argv)
