import numpy as np
import pytest

import glassbox

# Every jaxpr traced in the tests is checked: each equation's recorded types must be what
# its shape rule gives (a wrong rule or a transform that mislabels a value fails here).
glassbox.config.update("check_jaxprs", True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
