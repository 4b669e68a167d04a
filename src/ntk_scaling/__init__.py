"""ntk_scaling: the library under the companion book to two neural scaling-law papers.

[A] Nikolaou, Krippendorf, Tovey, Holm, *Beyond Scaling Curves: Internal Dynamics of
    Neural Networks Through the NTK Lens*, arXiv 2507.05035.
[B] Bordelon, Atanasov, Pehlevan, *How Feature Learning Can Improve Neural Scaling
    Laws*, arXiv 2409.17858.

The package is grouped by concern; imports only run downwards in this list:

* ``book``: the chapter runner, claims tables, figure style (nothing imports it);
* ``training``: training loops and read-outs (above nets, kernels and data);
* ``kernels``: empirical and infinite-width NTKs and their metrics (may read ``nets``);
* ``nets``: model definitions;  ``data``: data sets and their containers;
* ``solvable``: [B]'s linear model, its exponents, simulation and DMFT;
* infrastructure: ``cache``, ``sweeps``, ``fitting``, ``steps``, ``validation``.

Public names are flat, as in optax: chapters write ``ntk_scaling.X`` whatever the
subpackage.
"""

from __future__ import annotations

__version__ = "0.2.0"

from . import cache, fitting, steps, sweeps, validation  # noqa: F401  (modules as attributes)
from .cache import *  # noqa: F401,F403
from .fitting import *  # noqa: F401,F403
from .steps import *  # noqa: F401,F403
from .sweeps import *  # noqa: F401,F403

from . import data, kernels, nets, solvable, training
from .data import *  # noqa: F401,F403
from .solvable import *  # noqa: F401,F403
from .nets import *  # noqa: F401,F403
from .kernels import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403

from . import book
from .book import *  # noqa: F401,F403
from .book import claims, plotting  # noqa: F401  (nts.claims, nts.plotting)
from .book.claims import *  # noqa: F401,F403

__all__ = [
    *cache.__all__,
    *fitting.__all__,
    *steps.__all__,
    *sweeps.__all__,
    *data.__all__,
    *solvable.__all__,
    *nets.__all__,
    *kernels.__all__,
    *training.__all__,
    *book.__all__,
]
