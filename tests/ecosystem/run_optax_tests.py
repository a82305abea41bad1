"""Run optax's own unit tests (the ``*_test.py`` files in its package) on glassbox.

    .venv/bin/python tests/ecosystem/run_optax_tests.py [pytest options]

The ``jax`` import hook is installed in this process before pytest starts, so every
test module's ``import jax`` (and chex's, absl's test helpers') resolves to glassbox.
Not part of ``make test``: the ~2,600 tests take minutes. The same command with
``.venv-jax/bin/python -m pytest <site-packages>/optax`` runs them on the real JAX.
"""
import os
import sys

import glassbox

glassbox.install_as_jax()

import optax  # noqa: E402  (after the hook: optax imports jax)
import pytest  # noqa: E402

if __name__ == "__main__":
    sys.exit(pytest.main([os.path.dirname(optax.__file__), "-q", "-p", "no:cacheprovider",
                          *sys.argv[1:]]))
