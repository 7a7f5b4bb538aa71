"""The protocol every optimizer follows: hyperparameters on the object, state outside it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator


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

    An update rule is a plain function ``update(params, grad, slots, hyper, lr,
    t)`` that changes every entry of ``params`` and ``slots`` in place;
    :mod:`skgd._kernels` compiles it with numba for the training loop (the lazy
    sparse step gathers the coordinates it updates into contiguous buffers, so
    each rule is one branch-free loop that LLVM vectorizes).
    """

    #: number of per-parameter buffers the update needs
    n_slots: int = 0
    #: True for full-batch solvers that do not take gradient steps
    is_line_search: bool = False

    def _validate(self) -> None:
        """Raise ValueError if a hyperparameter is out of range."""

    def _hyper(self) -> np.ndarray:
        """Hyperparameters as the float vector the compiled update reads."""
        return np.zeros(1)

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
        from .._kernels import step_all

        self._validate()
        new_params = np.array(params, dtype=np.float64, copy=True)
        need = (max(self.n_slots, 1), new_params.shape[0])
        if state.slots.shape != need or np.shape(grad) != new_params.shape:
            # the compiled update does not check bounds: refuse rather than overrun
            raise ValueError(
                f"{type(self).__name__}.update needs grad and params of one shape and a "
                f"state with slots of shape {need} (from its own init); got grad "
                f"{np.shape(grad)}, params {new_params.shape}, slots {state.slots.shape}."
            )
        new_state = state.copy()
        new_state.t += 1
        step_all(
            self._code,
            new_params,
            np.asarray(grad, dtype=np.float64),
            new_state.slots,
            self._hyper(),
            float(learning_rate),
            new_state.t,
            new_params.shape[0] if n_coef is None else int(n_coef),
        )
        return new_params, new_state


def check_range(name: str, value, low=None, high=None, *, low_open=False, high_open=False):
    """Raise a ValueError naming ``name`` unless ``low <= value <= high``."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and np.isfinite(value):
        if low is not None:
            ok = value > low if low_open else value >= low
        if ok and high is not None:
            ok = value < high if high_open else value <= high
    else:
        ok = False
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        rng = f"{lo}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi}"
        raise ValueError(f"{name} must be a real number in {rng}; got {value!r}.")
