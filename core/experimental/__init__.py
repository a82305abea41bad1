"""``glassbox.experimental``: JAX's experimental APIs that glassbox has (import each
submodule, e.g. ``from glassbox.experimental import multihost_utils``)."""
