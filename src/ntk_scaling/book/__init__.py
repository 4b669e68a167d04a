"""The book's machinery: chapter runner, claims tables, figure style, parameters, equations and scoreboard.

The science never imports it.
"""

from . import claims
from . import a_claims
from . import plotting
from . import parameters
from . import equations
from . import snapshot
from . import scoreboard
from . import provenance
from .claims import *  # noqa: F401,F403
from .a_claims import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .parameters import *  # noqa: F401,F403
from .equations import *  # noqa: F401,F403
from .snapshot import *  # noqa: F401,F403
from .scoreboard import *  # noqa: F401,F403
from .provenance import *  # noqa: F401,F403

__all__ = [
    *claims.__all__,
    *a_claims.__all__,
    *plotting.__all__,
    *parameters.__all__,
    *equations.__all__,
    *snapshot.__all__,
    *scoreboard.__all__,
    *provenance.__all__,
]
