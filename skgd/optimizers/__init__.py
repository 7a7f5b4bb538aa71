"""Update rules: small objects holding hyperparameters, with state kept outside.

Each file holds one rule: its hyperparameters, the names of its state
buffers, its update in NumPy (the reference), and the name of the compiled
branch of :mod:`skgd._kernels` that training runs for it.
"""

from __future__ import annotations

from .._names import lookup
from ._base import Optimizer, OptimizerState
from .adagrad import AdaGrad
from .adam import Adam
from .adamw import AdamW
from .lbfgs import LBFGS
from .lion import Lion
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
    "lion": lambda: Lion(),
    "lbfgs": lambda: LBFGS(),
}
#: Every rule class skgd ships, once each.
REGISTRY = (SGD, AdaGrad, RMSProp, Adam, AdamW, NAdam, Lion, LBFGS)


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
    "REGISTRY",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "LBFGS",
    "Lion",
    "NAdam",
    "Optimizer",
    "OptimizerState",
    "RMSProp",
    "resolve_optimizer",
]
