"""``glassbox.lax``: the primitives, with JAX's names and signatures.

Each family module defines its primitives (``*_p``) with all their rules and
lists its public names in ``__all__``; this package re-exports them.
"""
from .elementwise import *  # noqa: F401,F403
from .bitwise import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .slicing import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .dot import *  # noqa: F401,F403
from .sort import *  # noqa: F401,F403
from . import linalg  # noqa: F401,E402
from .parallel import *  # noqa: F401,F403
from .conditionals import *  # noqa: F401,F403
from .scans import *  # noqa: F401,F403
from .loops import *  # noqa: F401,F403
from .associative import *  # noqa: F401,F403
from ..autodiff import stop_gradient  # noqa: F401,E402
