"""Import neural-tangents 0.6.5 without TensorFlow (reference env only).

``neural_tangents/__init__.py`` runs ``from . import experimental``, whose only content is
the TensorFlow bridge (``empirical_ntk_fn_tf``: imports tensorflow, tf2jax and
jax.experimental.jax2tf, which needs absl). Nothing else in the package uses it. We
register an empty module under that name *before* the import, so ``from . import
experimental`` finds it in ``sys.modules`` and the TF bridge is never executed; stax,
empirical kernels and batching are untouched. The installed package is not modified.
"""

from __future__ import annotations

import sys
import types


def import_neural_tangents():
    """Return the ``neural_tangents`` module with its ``experimental`` TF bridge stubbed."""
    name = "neural_tangents.experimental"
    if name not in sys.modules:
        stub = types.ModuleType(name)
        stub.__doc__ = "stub: the TensorFlow bridge of neural-tangents is not installed here"
        sys.modules[name] = stub
    import neural_tangents

    return neural_tangents
