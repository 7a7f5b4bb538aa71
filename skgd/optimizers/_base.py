"""The protocol every optimizer follows: hyperparameters on the object, state outside it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator

from .._checks import check_range  # noqa: F401  (re-exported: the rules' files use it)


@dataclass
class OptimizerState:
    """Everything an optimizer remembers between updates.

    Parameters
    ----------
    slots : ndarray of shape (n_slots, n_params)
        Per-parameter buffers (velocity, moment estimates, accumulators).
    t : int
        Number of updates made so far (Adam's bias correction uses it).
    """

    slots: np.ndarray
    t: int = 0
    extra: dict = field(default_factory=dict)

    def copy(self) -> OptimizerState:
        return OptimizerState(self.slots.copy(), self.t, dict(self.extra))


class Optimizer(BaseEstimator):
    """Base class of the update rules in :mod:`skgd.optimizers`.

    Subclasses store their hyperparameters in ``__init__`` and nothing else, so
    :func:`sklearn.base.clone`, ``get_params`` and nested grid-search names such
    as ``optimizer__beta1`` work. The state lives in an :class:`OptimizerState`
    that the caller keeps (an estimator stores it as ``optimizer_state_``).

    A rule declares, once:

    - ``slots``: the names of its per-parameter buffers (moments,
      accumulators), one row of ``state.slots`` each;
    - ``hyperparameters``: the names of the attributes its update reads;
    - ``update``: the rule in NumPy, the reference;
    - ``rule``: for skgd's own rules, the name of the compiled branch that
      the training loop runs instead (:mod:`skgd._kernels`), tested against
      ``update``; None for a rule written only in NumPy.

    **Your own rule**: subclass ``Optimizer``, declare ``slots``, and implement
    ``update`` (and ``_validate`` for your hyperparameters). It works in every
    estimator, in ``partial_fit`` and in :func:`skgd.minimize`: the training
    loop calls your ``update`` once per batch, at Python speed. On sparse
    rows with mini-batches it receives the whole gradient and moves every
    coordinate, whereas the compiled rules (all but plain SGD) take the lazy
    step that moves only the touched columns, so the two give different
    models there (the same on dense rows and with full batches).

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import Optimizer
    >>> class SignSGD(Optimizer):
    ...     def update(self, grad, state, params, learning_rate, n_coef=None):
    ...         state = state.copy()
    ...         state.t += 1
    ...         return params - learning_rate * np.sign(grad), state
    >>> opt = SignSGD()
    >>> opt.update(np.array([3.0, -0.5]), opt.init(2), np.zeros(2), 0.1)[0]
    array([-0.1,  0.1])
    """

    #: names of the per-parameter buffers the update keeps
    slots: tuple = ()
    #: names of the hyperparameters the update reads
    hyperparameters: tuple = ()
    #: the compiled branch of skgd's own rules (None: the NumPy ``update`` only)
    rule: str | None = None
    #: True for full-batch solvers that do not take gradient steps
    is_line_search: bool = False

    @property
    def n_slots(self) -> int:
        """Number of per-parameter buffers (``len(slots)``)."""
        return len(self.slots)

    def _validate(self) -> None:
        """Raise ValueError if a hyperparameter is out of range."""

    def _hyper_values(self) -> dict:
        """The hyperparameters by name, as floats (what the compiled rule reads)."""
        return {name: float(getattr(self, name)) for name in self.hyperparameters}

    def init(self, n_params: int) -> OptimizerState:
        """Return a fresh state for ``n_params`` parameters.

        Parameters
        ----------
        n_params : int
            Length of the flat parameter vector.

        Returns
        -------
        state : OptimizerState
        """
        self._validate()
        return OptimizerState(np.zeros((max(self.n_slots, 1), n_params)), 0)

    def update(
        self,
        grad: np.ndarray,
        state: OptimizerState,
        params: np.ndarray,
        learning_rate: float,
        n_coef: int | None = None,
    ) -> tuple[np.ndarray, OptimizerState]:
        """Apply one update and return the new parameters and state.

        The inputs are not modified.

        Parameters
        ----------
        grad : ndarray of shape (n_params,)
            Gradient of the objective at ``params``.
        state : OptimizerState
            State returned by :meth:`init` or a previous :meth:`update`.
        params : ndarray of shape (n_params,)
            Current parameters.
        learning_rate : float
            Step size for this update.
        n_coef : int, default=None
            The first ``n_coef`` parameters are coefficients; the rest are
            intercepts, which decoupled weight decay leaves alone. None means
            all parameters are coefficients.

        Returns
        -------
        params : ndarray of shape (n_params,)
        state : OptimizerState
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement update(grad, state, params, "
            "learning_rate, n_coef=None) -> (params, state): the update rule in NumPy."
        )

    def _start(self, grad, state, params):
        """Checked float64 copies for :meth:`update`: (grad, new state with t + 1, params)."""
        self._validate()
        params = np.array(params, dtype=np.float64, copy=True)
        grad = np.asarray(grad, dtype=np.float64)
        need = (max(self.n_slots, 1), params.shape[0])
        if state.slots.shape != need or grad.shape != params.shape:
            raise ValueError(
                f"{type(self).__name__}.update needs grad and params of one shape and a "
                f"state with slots of shape {need} (from its own init); got grad "
                f"{grad.shape}, params {params.shape}, slots {state.slots.shape}."
            )
        state = state.copy()
        state.t += 1
        return grad, state, params


def _bias_powers(beta1: float, beta2: float, t: int) -> tuple[float, float]:
    """beta1**t and beta2**t (the compiled rules square repeatedly; equal to rounding)."""
    return float(beta1) ** t, float(beta2) ** t
