"""Update rules: small objects holding hyperparameters, with state kept outside.

Each file holds one rule; its update is a plain function that
:mod:`skgd._kernels` compiles with numba for the training loop.
"""

from __future__ import annotations

from .._names import lookup
from ._base import Optimizer, OptimizerState
from .adagrad import AdaGrad
from .adam import Adam
from .adamw import AdamW
from .lbfgs import LBFGS
from .nadam import NAdam
from .rmsprop import RMSProp
from .sgd import SGD

#: The strings accepted by ``optimizer=``, each with the object it stands for.
OPTIMIZERS = {
    "sgd": lambda: SGD(),
    "momentum": lambda: SGD(momentum=0.9),
    "nesterov": lambda: SGD(momentum=0.9, nesterov=True),
    "adagrad": lambda: AdaGrad(),
    "rmsprop": lambda: RMSProp(),
    "adam": lambda: Adam(),
    "adamw": lambda: AdamW(),
    "nadam": lambda: NAdam(),
    "lbfgs": lambda: LBFGS(),
}


def resolve_optimizer(optimizer) -> Optimizer:
    """Return the optimizer object for a name or an instance.

    Parameters
    ----------
    optimizer : str or Optimizer
        One of the keys of ``OPTIMIZERS`` or an instance.

    Returns
    -------
    Optimizer
        A new object for a name; the instance itself otherwise.

    Examples
    --------
    >>> from skgd.optimizers import resolve_optimizer
    >>> resolve_optimizer("nesterov")
    SGD(momentum=0.9, nesterov=True)
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        return lookup("optimizer", optimizer, OPTIMIZERS, "an instance from skgd.optimizers")
    raise ValueError(
        f"optimizer must be a string or an instance from skgd.optimizers; got {optimizer!r}."
    )


__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "LBFGS",
    "NAdam",
    "Optimizer",
    "OptimizerState",
    "RMSProp",
    "resolve_optimizer",
]
