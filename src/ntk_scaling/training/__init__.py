"""Training loops, above nets, kernels and data; and the read-outs of their records."""

from . import full_batch
from . import readouts
from . import protocol
from . import online
from . import bridge
from . import circle_runs
from . import language_runs
from . import vision_runs
from .full_batch import *  # noqa: F401,F403
from .readouts import *  # noqa: F401,F403
from .protocol import *  # noqa: F401,F403
from .online import *  # noqa: F401,F403
from .bridge import *  # noqa: F401,F403
from .circle_runs import *  # noqa: F401,F403
from .language_runs import *  # noqa: F401,F403
from .vision_runs import *  # noqa: F401,F403

__all__ = [*full_batch.__all__, *readouts.__all__, *protocol.__all__, *online.__all__, *bridge.__all__,
           *circle_runs.__all__, *language_runs.__all__, *vision_runs.__all__]
