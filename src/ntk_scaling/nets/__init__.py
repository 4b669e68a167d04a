"""Model definitions. Models know nothing of training."""

from . import mlp
from .mlp import *  # noqa: F401,F403

__all__ = [*mlp.__all__]
