"""``glassbox.lax``: the primitives, with JAX's names and signatures.

Each family module defines its primitives (``*_p``) with all their rules and
lists its public names in ``__all__``; this package re-exports them.

``shape`` comes first: every other family builds on its ``broadcast_in_dim``, and it
imports the elementwise, reduction and slicing families at its end (its transpose rules
use them), once all of its own names are defined.
"""
from .shape import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .bitwise import *  # noqa: F401,F403
from .slicing import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .dot import *  # noqa: F401,F403
from .sort import *  # noqa: F401,F403
from . import linalg  # noqa: F401,E402
from .parallel import *  # noqa: F401,F403
from .constraints import *  # noqa: F401,F403
from .conditionals import *  # noqa: F401,F403
from .scans import *  # noqa: F401,F403
from .loops import *  # noqa: F401,F403
from .associative import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .special import *  # noqa: F401,F403
from .windowed import *  # noqa: F401,F403
from .fft import *  # noqa: F401,F403
from .solvers import *  # noqa: F401,F403
from .pieces import *  # noqa: F401,F403
from .misc import *  # noqa: F401,F403
from .dot_more import *  # noqa: F401,F403
from .tokens import *  # noqa: F401,F403
from .rest import *  # noqa: F401,F403
# Host callbacks: their wrappers are glassbox.pure_callback, experimental.io_callback and
# debug.callback/print, not names of jax.lax, so the module is imported, not re-exported.
from . import callbacks  # noqa: F401,E402
