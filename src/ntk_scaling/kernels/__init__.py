"""Empirical and infinite-width NTKs and their spectral metrics. A kernel may read a model's architecture, never training."""

from . import empirical
from . import metrics
from . import infinite_width
from . import circle
from . import spectra
from .empirical import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .infinite_width import *  # noqa: F401,F403
from .circle import *  # noqa: F401,F403
from .spectra import *  # noqa: F401,F403

__all__ = [*empirical.__all__, *metrics.__all__, *infinite_width.__all__, *circle.__all__, *spectra.__all__]
