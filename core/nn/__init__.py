"""``glassbox.nn``: JAX's ``jax.nn``, activations and the functions networks are made of.

Activations (``relu``, ``gelu``, ``silu``, ``softplus``, ...), ``softmax`` /
``log_softmax`` / ``logsumexp`` (stable, with ``where=`` masks), ``one_hot``,
``standardize``, ``dot_product_attention``, and ``glassbox.nn.initializers``
(``glorot_normal``, ``he_uniform``, ``orthogonal``, ...), all written over
``glassbox.numpy``/``lax`` exactly as JAX writes them, so they give JAX's numbers.

Example::

    import glassbox as jax, glassbox.numpy as jnp
    w = jax.nn.initializers.glorot_normal()(jax.random.key(0), (3, 4))
    y = jax.nn.softmax(jax.nn.relu(jnp.ones((2, 3)) @ w))
"""
from .functions import *  # noqa: F401,F403
from .attention import dot_product_attention  # noqa: F401
from .scaled import (get_scaled_dot_general_config, scaled_dot_general,  # noqa: F401
                     scaled_matmul)
from . import initializers  # noqa: F401
