"""``glassbox.lax``: the primitives, with JAX's names and signatures."""
from .elementwise import *  # noqa: F401,F403
from .elementwise import add, convert_element_type, sin  # noqa: F401
from .shape import (broadcast, broadcast_in_dim, reshape, transpose,  # noqa: F401
                    broadcast_in_dim_p, reshape_p, transpose_p)
