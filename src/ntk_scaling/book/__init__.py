"""The book's machinery: chapter runner, claims tables, figure style. The science never imports it."""

from . import claims
from . import plotting
from . import parameters
from . import provenance
from .claims import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .parameters import *  # noqa: F401,F403
from .provenance import *  # noqa: F401,F403

__all__ = [*claims.__all__, *plotting.__all__, *parameters.__all__, *provenance.__all__]
