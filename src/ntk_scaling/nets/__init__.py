"""Model definitions. Models know nothing of training."""

from . import mlp
from . import mup
from . import cnn
from . import resnet
from . import transformer
from .mlp import *  # noqa: F401,F403
from .mup import *  # noqa: F401,F403
from .cnn import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

__all__ = [*mlp.__all__, *mup.__all__, *cnn.__all__, *resnet.__all__, *transformer.__all__]
