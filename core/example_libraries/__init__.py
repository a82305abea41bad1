"""``glassbox.example_libraries``: JAX's small example libraries, on glassbox.

``stax`` builds neural networks from ``(init_fun, apply_fun)`` pairs;
``optimizers`` gives ``(init_fun, update_fun, get_params)`` triples (SGD,
momentum, Adam, ...) over pytrees of parameters. Import them as in JAX::

    from glassbox.example_libraries import stax, optimizers
"""
from . import optimizers, stax  # noqa: F401
