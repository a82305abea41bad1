"""``glassbox.random``: explicit, splittable PRNG keys and samplers, bit for bit JAX's.

Keys are values: ``key(seed)`` (typed, dtype ``key<fry>``) or ``PRNGKey(seed)``
(raw ``uint32[2]``). ``split`` and ``fold_in`` derive new keys; samplers
(``normal``, ``uniform``, ...) never change the key they are given, so the
same key always gives the same numbers. Everything is threefry2x32 in JAX's
default (partitionable) mode: ``normal(PRNGKey(0), (3,))`` here equals JAX's.

Example::

    import glassbox.random as random
    key = random.key(0)
    key, sub = random.split(key)
    x = random.normal(sub, (3,))
"""
from .keys import *  # noqa: F401,F403
from .distributions import *  # noqa: F401,F403
from .gamma import *  # noqa: F401,F403
from .threefry import threefry2x32_p, threefry_2x32  # noqa: F401
from .gamma import random_gamma_p  # noqa: F401
from .more_distributions import *  # noqa: F401,F403
