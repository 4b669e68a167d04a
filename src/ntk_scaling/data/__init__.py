"""Data sets (vision, synthetic) and their containers. Data imports neither nets nor training."""

from . import vision
from . import subsets
from . import datasets
from . import circle
from . import text
from . import vision_stream
from .vision import *  # noqa: F401,F403
from .subsets import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .circle import *  # noqa: F401,F403
from .text import *  # noqa: F401,F403
from .vision_stream import *  # noqa: F401,F403

__all__ = [*vision.__all__, *subsets.__all__, *datasets.__all__, *circle.__all__, *text.__all__,
           *vision_stream.__all__]
