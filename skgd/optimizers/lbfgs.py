"""L-BFGS-B from scipy, run on the full objective J."""

from __future__ import annotations

from .._checks import check_bool, check_whole
from ._base import Optimizer, check_range


class LBFGS(Optimizer):
    """Full-batch L-BFGS-B (:func:`scipy.optimize.minimize`) on the objective J.

    Not a gradient step: ``fit`` hands J and its gradient to scipy, which runs
    its own line search, so ``learning_rate``, ``batch_size`` and ``schedule``
    are ignored. One scipy iteration counts as one epoch in ``loss_curve_``.
    The L1 and elastic-net penalties are not differentiable at 0; with them,
    L-BFGS-B minimizes the smooth split ``coef = u - v``, ``u, v >= 0`` with
    bounds, which has the same minimum.

    Parameters
    ----------
    maxcor : int, default=10
        Number of correction pairs kept (the memory of the quasi-Newton
        approximation), 1 to 1000.
    gtol : float, default=0.0
        scipy's own stop on its largest projected gradient component (of J
        divided by its value at the start). 0 leaves stopping to the
        estimator's ``tol``, the rule every optimizer follows.
    precondition : bool, default=True
        Run L-BFGS-B in standardized coordinates (``coef_j * std_j`` and the
        intercept at the column means), an exact change of variables computed
        in one pass over X (which is not copied or modified). On columns of
        different scales this cuts the iterations from hundreds to tens; the
        minimum is the same. Not used with L1 penalties (they take the split
        form above).

    Examples
    --------
    >>> from skgd.optimizers import LBFGS
    >>> LBFGS(maxcor=20)
    LBFGS(maxcor=20)
    """

    is_line_search = True

    def __init__(self, maxcor: int = 10, gtol: float = 0.0, precondition: bool = True):
        self.maxcor = maxcor
        self.gtol = gtol
        self.precondition = precondition

    def _validate(self) -> None:
        check_whole("maxcor", self.maxcor, 1, owner=self)
        if self.maxcor > 1000:
            # scipy keeps 11 maxcor^2 numbers besides the pairs: 1e8 of them would
            # fail inside scipy with a message about array sizes
            raise ValueError(
                f"LBFGS: maxcor must be at most 1000 (L-BFGS-B keeps 2 * maxcor vectors "
                f"and 11 * maxcor^2 numbers); got {self.maxcor!r}."
            )
        check_range("gtol", self.gtol, 0.0, owner=self)
        check_bool("precondition", self.precondition, owner=self)

    def update(self, grad, state, params, learning_rate, n_coef=None):
        raise TypeError(
            "LBFGS takes no single steps: it runs scipy's L-BFGS-B with its own line "
            "search on the full batch. Use it as optimizer='lbfgs' in an estimator or in "
            "skgd.minimize."
        )
