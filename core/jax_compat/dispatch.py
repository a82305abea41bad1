"""``jax._src.dispatch`` (equinox): waiting for what was dispatched before exit."""
from glassbox import runtime


def wait_for_tokens():
    """Block until every computation dispatched so far (and so its callbacks) is done."""
    for array in runtime.live_arrays():
        array.block_until_ready()
