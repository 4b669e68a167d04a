"""[B]'s solvable model: power-law tasks, exponents, compute-optimal laws, simulation and DMFT."""

from . import tasks
from . import exponents
from . import compute_optimal
from . import linear_model
from . import dmft
from . import deterministic_equivalent
from . import dmft_finite
from . import kernel_lens
from .tasks import *  # noqa: F401,F403
from .exponents import *  # noqa: F401,F403
from .compute_optimal import *  # noqa: F401,F403
from .linear_model import *  # noqa: F401,F403
from .dmft import *  # noqa: F401,F403
from .deterministic_equivalent import *  # noqa: F401,F403
from .dmft_finite import *  # noqa: F401,F403
from .kernel_lens import *  # noqa: F401,F403

__all__ = [
    *tasks.__all__,
    *exponents.__all__,
    *compute_optimal.__all__,
    *linear_model.__all__,
    *dmft.__all__,
    *deterministic_equivalent.__all__,
    *dmft_finite.__all__,
    *kernel_lens.__all__,
]
