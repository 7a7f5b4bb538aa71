"""The one training loop, behind ``fit``, ``partial_fit``, :func:`skgd.minimize`,
:func:`skgd.compare_solvers` and :func:`skgd.fit_csv`.

``train(problem, state, stepper, ...)`` is a pure function of the problem (J
on some data, or any function), the starting state, the stepper (how one
epoch moves the parameters: mini-batches, a full-batch step, or scipy's
L-BFGS-B) and the settings. It never sees an estimator. Everything that
must be the same for every way of training is written here once:

- after every epoch, J and its gradient at the new parameters (one pass
  over the rows), and from them the optimality measure of
  :mod:`skgd._optimality`, the number the stopping rule reads;
- the stopping rule: stop as soon as the measure is ``<= tol`` (checked at
  the start too, so a start at the optimum takes no step), or, with
  ``early_stopping``, when the validation score has not improved by ``tol``
  for ``n_iter_no_change`` epochs;

- the divergence check (J or the parameters not finite, or J blown up far
  past its start): a :class:`~skgd.exceptions.DivergenceError`;
- what is returned when the rule was not met: the iterate with the lowest
  J, never a worse one, and a status that :func:`warn_if_not_converged`
  turns into one ConvergenceWarning that says why;
- the history row of each epoch and an interrupt-safe copy of the last
  complete epoch.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .exceptions import ConvergenceWarning, DivergenceError

#: How an outcome ended. Divergence is raised, not returned.
CONVERGED = 0  # the optimality measure reached tol
MAX_ITER = 1  # max_iter epochs before the rule was met
EARLY_STOPPED = 3  # the validation score stopped improving (early_stopping)
SOLVER_STOPPED = 4  # an external solver (L-BFGS-B) stopped on its own terms first
FIXED = 5  # no stopping rule: tol=None or partial_fit
CALLBACK = 99  # a callback raised StopIteration

#: History columns, in order.
COLUMNS = ["epoch", "loss", "optimality", "learning_rate", "validation_score", "seconds"]


class NotFiniteAtStart(ValueError):
    """J or its gradient is not finite where training starts (the data's scale, not the rate)."""


@dataclass(frozen=True)
class Settings:
    """How to train.

    ``stopping=False`` runs exactly ``max_iter`` epochs with no rule, no
    warning, and returns the last iterate (``partial_fit``). ``blow_up``: J
    above ``blow_up`` times its start (or its scale) is divergence; None
    checks finiteness only (functions that may be unbounded below).
    ``keep_best``: when the rule was not met, return the lowest-J iterate
    (with early stopping: the best-scoring one) instead of the last.
    ``record_start``: a history row for epoch 0. ``reference``: J where the
    previous call ended; with ``stopping`` and ``record_start`` off and a
    mini-batch stepper it stands in for J at the start and the start's pass
    is skipped. ``origin``: J where training began (the first ``partial_fit``
    call's start), for later calls: blowing up is measured against it, and
    a call that ends above it is reported.
    """

    learning_rate: float
    max_iter: int
    tol: float | None
    n_iter_no_change: int = 10
    verbose: int = 0
    stopping: bool = True
    keep_best: bool = True
    blow_up: float | None = 1e6
    record_start: bool = True
    reference: float | None = None
    origin: float | None = None
    name: str = ""


@dataclass
class TrainState:
    """What training carries from one call to the next (warm_start, partial_fit)."""

    params: np.ndarray
    optimizer_state: object  # skgd.optimizers.OptimizerState
    schedule_state: dict
    epoch: int = 0  # epochs completed in total

    def copy(self) -> TrainState:
        return TrainState(
            self.params.copy(),
            self.optimizer_state.copy(),
            dict(self.schedule_state),
            self.epoch,
        )


@dataclass
class Outcome:
    """What one call of :func:`train` did, and the parameters to keep."""

    state: TrainState
    history: list = field(default_factory=list)
    status: int = FIXED
    message: str = ""
    value: float = np.nan  # J at state.params
    optimality: float = np.nan  # the measure at state.params
    gradient: np.ndarray | None = None  # the gradient at state.params
    epochs: int = 0  # epochs run by this call
    tol: float | None = None
    #: the Newton step's reach / the largest coefficient, when a check found it too far
    too_far: float = np.nan

    @property
    def converged(self) -> bool:
        """True when the returned parameters are certified: measure <= tol, optimum near."""
        return self.tol is not None and self.optimality <= self.tol and np.isnan(self.too_far)


def train(
    problem,
    state: TrainState,
    stepper,
    *,
    schedule,
    settings: Settings,
    validation: Callable[[np.ndarray], float] | None = None,
    on_epoch: Callable[[np.ndarray], None] | None = None,
    callback: Callable[[np.ndarray, float], None] | None = None,
) -> Outcome:
    """Run ``stepper`` on ``problem`` from ``state`` under the one stopping rule.

    Parameters
    ----------
    problem : skgd._problem.Problem or FunctionProblem
    state : TrainState
        Taken over: training updates it in place (pass a copy to keep it).
    stepper : MiniBatch, FullBatch or LBFGSB
    schedule : skgd.schedules.Schedule
    settings : Settings
    validation : callable, default=None
        ``validation(params) -> score`` (higher is better): early stopping.
    on_epoch : callable, default=None
        Called with the parameters after each epoch (reused array: copy it).
    callback : callable, default=None
        ``callback(params, value)`` after each epoch; ``StopIteration`` ends
        the run with status ``CALLBACK``.

    Returns
    -------
    Outcome

    Raises
    ------
    DivergenceError
        J or the parameters stopped being finite, or J blew up; ``.outcome``
        holds the last finite epoch.
    NotFiniteAtStart
        A ValueError: J or its gradient is not finite at the start.
    KeyboardInterrupt
        Re-raised with ``.outcome`` set to the last completed epoch.
    """
    run = _Run(problem, state, stepper, schedule, settings, validation, on_epoch, callback)
    try:
        return run.go()
    except (KeyboardInterrupt, DivergenceError, NotFiniteAtStart) as exc:
        exc.outcome = run.committed()
        raise


class _Run:
    """The mutable bookkeeping of one :func:`train` call."""

    def __init__(self, problem, state, stepper, schedule, settings, validation, on_epoch, callback):
        self.problem = problem
        self.state = state
        self.stepper = stepper
        self.schedule = schedule
        self.settings = settings
        self.validation = validation
        self.on_epoch = on_epoch
        self.callback = callback
        self.grad = np.empty_like(self.state.params)
        self.history: list[dict] = []
        self.epochs = 0
        self.status = None
        self._saved = None  # the last complete epoch (see _commit)
        self.stale = 0  # epochs without a better validation score
        self.blow_up = settings.blow_up
        self.zero_rate_from = np.inf  # the first epoch whose learning rate was 0
        self.too_far = np.nan  # the last Newton check's distance, if it failed
        self.check_below = np.inf  # after a failed check: the measure to reach first

    # ------------------------------------------------------------ the loop
    def go(self) -> Outcome:
        settings = self.settings
        tic = time.perf_counter()
        if not (
            settings.stopping
            or settings.record_start
            or getattr(self.stepper, "needs_start_gradient", True)
            or settings.reference is None
        ):
            # a partial_fit call that continues with mini-batches: nothing reads
            # J at the start, so the pass is saved (the previous call's J serves
            # as the divergence scale)
            return self._go_without_start(settings.reference)
        with np.errstate(over="ignore", invalid="ignore"):
            start_pass = getattr(self.problem, "start_pass", None)
            if start_pass is None:
                value, _ = self.problem.value_and_gradient(self.state.params, self.grad)
            else:
                value = start_pass(self.state.params, self.grad)
        if not (np.isfinite(value) and np.all(np.isfinite(self.grad))):
            # bad input rather than a diverging run: nothing has been trained yet
            advice = getattr(
                self.problem,
                "not_finite_advice",
                "the scale of X or y is probably extreme for float64; standardize the "
                "features and rescale y",
            )
            raise NotFiniteAtStart(
                f"{settings.name}J or its gradient is not finite at the start ({value}): "
                f"{advice}."
            )
        self.scale = self.problem.gradient_scale(self.grad)
        self.start_value = value
        self.value = value
        self.measure = self.problem.measure(self.state.params, self.grad, self.scale, settings.tol)
        self.best_value = value
        self.best_params = self.state.params.copy()
        self.best_measure = self.measure
        self.best_score = -np.inf
        self.score = np.nan
        if self.validation is not None:
            self.score = float(self.validation(self.state.params))
            self._keep_validation_best()
        if settings.record_start:
            self._record(value, np.nan, time.perf_counter() - tic)
        self._commit()
        if settings.stopping and self._certifies():
            return self._finish(CONVERGED)
        if settings.max_iter <= 0:
            return self._finish(MAX_ITER if settings.stopping else FIXED)
        return self._run_epochs()

    def _go_without_start(self, reference: float) -> Outcome:
        # J of another chunk is a scale for this one's only through where
        # training began: without it, only finiteness is checked
        if self.settings.origin is None:
            self.blow_up = None
        self.scale = self.problem.gradient_scale(None)
        self.start_value = self.value = self.best_value = reference
        self.measure = self.best_measure = np.nan
        self.best_params = self.state.params.copy()
        self.best_score, self.score = -np.inf, np.nan
        self._commit()
        return self._run_epochs()

    def _run_epochs(self) -> Outcome:
        settings = self.settings
        self.tic = time.perf_counter()
        solver_message = self.stepper.run(self)
        if self.status is None:
            if solver_message is not None and self.epochs < settings.max_iter:
                self.solver_message = solver_message
                self.status = SOLVER_STOPPED
            else:
                self.status = MAX_ITER
        if not settings.stopping or settings.tol is None:
            if self.status in (MAX_ITER, SOLVER_STOPPED):
                self.status = FIXED
        return self._finish(self.status)

    def loop(self, step: Callable) -> None:
        """Run epochs of ``step(problem, state, lr, grad)`` until the rule stops them.

        ``grad`` is the gradient of J at ``state.params`` (from the pass after
        the previous epoch); a full-batch stepper steps along it.
        """
        for _ in range(self.settings.max_iter):
            lr = self.learning_rate()
            with np.errstate(over="ignore", invalid="ignore"):
                step(self.problem, self.state, lr, self.grad)
                if not np.all(np.isfinite(self.state.params)):
                    raise self._diverged(lr, "the parameters overflowed", self.state.epoch + 1)
                if not np.all(np.isfinite(self.state.optimizer_state.slots)):
                    raise self._overflowed_state()
                value, _ = self.problem.value_and_gradient(self.state.params, self.grad)
            if self.end_epoch(value, lr):
                return

    def learning_rate(self) -> float:
        """The learning rate of the next epoch: the base rate times the schedule's multiplier."""
        returned = self.schedule.multiplier(self.state.epoch, self.state.schedule_state)
        try:
            multiplier = float(returned)
        except (TypeError, ValueError):
            multiplier = np.nan
        if multiplier == 0 and getattr(self.schedule, "reaches_zero", False):
            self.zero_rate_from = min(self.zero_rate_from, self.state.epoch)
            return 0.0
        if not (np.isfinite(multiplier) and multiplier > 0):
            from .schedules import FunctionSchedule

            who = (
                "The schedule callable"
                if isinstance(self.schedule, FunctionSchedule)
                else f"{type(self.schedule).__name__}.multiplier"
            )
            shown = multiplier if np.isfinite(multiplier) else returned
            raise ValueError(
                f"{who} returned {shown!r} for epoch {self.state.epoch}; a schedule "
                "must return a positive finite multiplier."
            )
        return self.settings.learning_rate * multiplier

    def end_epoch(self, value: float, lr: float) -> bool:
        """Account for the epoch that just ended at ``state.params``; True: stop now."""
        settings = self.settings
        state = self.state
        state.epoch += 1
        self.epochs += 1
        self._check(value, lr)
        self.value = value
        self.measure = self.problem.measure(state.params, self.grad, self.scale, settings.tol)
        if self.validation is not None:
            self.score = float(self.validation(state.params))
        seconds = time.perf_counter() - self.tic
        self.tic = time.perf_counter()
        self._record(value, lr, seconds)
        if value < self.best_value:
            self.best_value = value
            np.copyto(self.best_params, state.params)
            self.best_measure = self.measure
        if np.isfinite(lr):
            state.schedule_state = self.schedule.observe(state.schedule_state, value)
        self._commit()
        if self.on_epoch is not None:
            self.on_epoch(state.params)
        if self.callback is not None:
            try:
                self.callback(state.params, value)
            except StopIteration:
                self.status = CALLBACK
                return True
        if not settings.stopping:
            return False
        if self._certifies():
            self.status = CONVERGED
            return True
        if self.validation is not None:
            if self.score > self.best_score + (settings.tol or 0.0):
                self.stale = 0
                self._keep_validation_best()
            else:
                self.stale += 1
                if self.score > self.best_score:
                    self._keep_validation_best()
            if self.stale >= settings.n_iter_no_change:
                self.status = EARLY_STOPPED
                return True
        return False

    # ------------------------------------------------------------ helpers
    def _certifies(self) -> bool:
        """The rule: the measure <= tol, and the optimum is near (a Newton step; see below).

        A small gradient is a certificate only where the curvature is not
        tiny: on nearly collinear features a fit with the measure at 8e-6 sat
        87 % of its largest coefficient from least squares. So once the
        measure is below tol, the Newton step H^-1 g is estimated (conjugate
        gradients, a few passes, only then); if it reaches further than
        ``NEWTON_LIMIT`` of the largest coefficient, training goes on until
        the measure has fallen in proportion, and is checked again.
        """
        tol = self.settings.tol
        if tol is None or not self.measure <= tol or self.measure > self.check_below:
            return False
        check = getattr(self.problem, "too_far", None)
        reach = None if check is None else check(self.state.params, self.grad)
        if reach is None:
            self.too_far = np.nan
            return True
        self.too_far, limit = reach
        self.check_below = self.measure * limit / self.too_far / 2
        return False

    def _keep_validation_best(self):
        self.best_score = self.score
        self.validation_best = (self.state.params.copy(), self.value, self.grad.copy())

    def _record(self, value, lr, seconds):
        row = {
            "epoch": self.state.epoch,
            "loss": value,
            "optimality": self.measure,
            "learning_rate": lr,
            "validation_score": self.score,
            "seconds": seconds,
        }
        self.history.append(row)
        if self.settings.verbose:
            extra = "" if self.validation is None else f", validation score={self.score:.6g}"
            rate = "" if np.isnan(lr) else f", learning_rate={lr:.4g}"
            print(
                f"{self.settings.name}epoch {row['epoch']}: loss={value:.6g}, "
                f"optimality={self.measure:.3g}{extra}{rate}, {seconds:.3f} s",
                flush=True,
            )

    def _commit(self):
        """Keep a copy of this complete epoch: what an interrupt or an error leaves behind.

        Copied into buffers allocated once, so that a wide model does not
        allocate its parameters and moments again every epoch.
        """
        state = self.state
        if self._saved is None or self._saved[0].shape != state.optimizer_state.slots.shape:
            self._saved = (
                np.empty_like(state.optimizer_state.slots),
                np.empty_like(state.params),
                np.empty_like(self.grad),
            )
        slots, params, grad = self._saved
        np.copyto(slots, state.optimizer_state.slots)
        np.copyto(params, state.params)
        np.copyto(grad, self.grad)
        self._saved_scalars = (
            state.optimizer_state.t,
            dict(state.optimizer_state.extra),
            dict(state.schedule_state),
            state.epoch,
            self.value,
            self.measure,
            self.epochs,
            len(self.history),
        )

    def committed(self) -> Outcome | None:
        """The last complete epoch as an outcome (None before the start was evaluated)."""
        if self._saved is None:
            return None
        from .optimizers import OptimizerState

        slots, params, grad = self._saved
        t, extra, schedule_state, epoch, value, measure, epochs, rows = self._saved_scalars
        state = TrainState(params.copy(), OptimizerState(slots.copy(), t, extra), schedule_state)
        state.epoch = epoch
        return Outcome(
            state=state,
            history=self.history[:rows],
            status=FIXED,
            value=value,
            optimality=measure,
            gradient=grad.copy(),
            epochs=epochs,
            tol=self.settings.tol,
        )

    def _check(self, value, lr):
        if not np.all(np.isfinite(self.state.params)):
            raise self._diverged(lr, "the parameters overflowed")
        if not np.isfinite(value):
            raise self._diverged(lr, f"the objective became {value}")
        if not np.all(np.isfinite(self.grad)):
            raise self._diverged(lr, "the gradient overflowed")
        limit = self.blow_up
        if limit is not None:
            start = self.origin()
            if value > limit * max(abs(start), 1e-300):
                raise self._diverged(
                    lr,
                    f"the objective grew to {value:.3g}, over {limit:.0e} times its start "
                    f"({start:.3g})",
                )

    def origin(self) -> float:
        """J where training began: this call's start, or the first partial_fit call's."""
        origin = self.settings.origin
        return self.start_value if origin is None else origin

    def _overflowed_state(self) -> DivergenceError:
        """Adam's g**2 beyond float64: every step becomes 0 and nothing moves, silently."""
        largest = float(np.max(np.abs(self.grad), initial=0.0))
        return DivergenceError(
            f"{self.settings.name}The optimizer's running averages overflowed in epoch "
            f"{self.state.epoch + 1} (learning_rate={self.settings.learning_rate:.6g}): "
            f"gradients of order {largest:.3g} have squares beyond "
            "float64's range, after which the steps are 0. The data's scale is extreme: "
            "standardize the features of X and rescale y, or use optimizer='lbfgs'.",
            epoch=self.state.epoch + 1,
            learning_rate=self.settings.learning_rate,
        )

    def _diverged(self, lr, what, epoch=None) -> DivergenceError:
        epoch = self.state.epoch if epoch is None else epoch
        name = getattr(self.stepper, "name", type(self.stepper).__name__)
        rate = "" if np.isnan(lr) else f" with learning_rate={lr:.6g}"
        advice = (
            f"Lower the learning rate (try {lr / 10:.3g}), standardize the features, or use "
            "an adaptive optimizer such as 'adam' or a decaying schedule."
            if np.isfinite(lr)
            else "The scale of X or y is probably extreme for float64: standardize the "
            "features of X and rescale y."
        )
        return DivergenceError(
            f"{self.settings.name}Training diverged in epoch {epoch}{rate} "
            f"({name}): {what}. {advice}",
            epoch=epoch,
            learning_rate=lr,
        )

    def _finish(self, status) -> Outcome:
        settings = self.settings
        state = self.state
        value, measure, grad = self.value, self.measure, self.grad
        if status == EARLY_STOPPED and settings.keep_best and hasattr(self, "validation_best"):
            params, value, grad = self.validation_best
            state.params = params
            measure = self.problem.measure(params, grad, self.scale, settings.tol)
        elif settings.keep_best and self.best_value < value and (
            status in (MAX_ITER, SOLVER_STOPPED)
            # a fit never returns a model worse than its start, tol=None or not
            or (status == FIXED and settings.stopping and value > self.start_value)
        ):
            state.params = self.best_params
            # its gradient again (one pass) rather than a copy kept every time J improved
            value, grad = self.problem.value_and_gradient(state.params, self.grad)
            measure = self.best_measure
        outcome = Outcome(
            state=state,
            history=self.history,
            status=status,
            value=value,
            optimality=measure,
            gradient=grad.copy(),
            epochs=self.epochs,
            tol=settings.tol,
            too_far=self.too_far if status != CONVERGED else np.nan,
        )
        outcome.message = _describe(self, outcome)
        return outcome


def _describe(run: _Run, outcome: Outcome) -> str:
    """One sentence on how the run ended and, if it fell short, why and what to do."""
    settings = run.settings
    tol = "None" if settings.tol is None else f"{settings.tol:g}"
    measure = f"optimality {outcome.optimality:.3g}"
    status = outcome.status
    if status == CONVERGED:
        return f"Converged: {measure} <= tol={tol} after {run.epochs} epochs."
    if status == CALLBACK:
        return "`callback` raised `StopIteration`."
    if status == EARLY_STOPPED:
        return (
            f"Early stopping: the validation score did not improve by tol={tol} for "
            f"{settings.n_iter_no_change} epochs; {measure} at the best-scoring epoch."
        )
    zero = ""
    if np.isfinite(run.zero_rate_from):
        zero = (
            f" The schedule's learning rate was 0 from epoch {int(run.zero_rate_from)} on "
            f"({type(run.schedule).__name__} ends at its min_factor=0), so those epochs took "
            "no step: give it a min_factor above 0 or a total_epochs that covers the training."
        )
    if status == FIXED:
        epochs = "1 epoch" if run.epochs == 1 else f"{run.epochs} epochs"
        text = f"Ran {epochs} with no stopping rule; {measure}." + zero
        origin = run.origin()
        if run.value > origin and (settings.stopping or settings.record_start):
            text += (
                f" J ended above its start ({origin:.6g} -> {run.value:.6g}): the "
                "learning rate is probably too large."
            )
            if settings.stopping and settings.keep_best:
                text += (
                    " Returned the parameters of the epoch with the lowest J "
                    f"({run.best_value:.6g})."
                )
        elif run.value > origin and settings.origin is not None:
            text += (
                f" J ended above its start of training ({origin:.6g} -> {run.value:.6g}, the "
                "first partial_fit call's start): the model is worse than where it began, "
                "so the learning rate is probably too large."
            )
        return text
    if status == SOLVER_STOPPED:
        head = f"{getattr(run.stepper, 'name', '')} stopped: {run.solver_message}"
    else:
        epochs = getattr(run.stepper, "epoch_name", "epochs")
        head = f"Maximum number of {epochs} ({settings.max_iter}) reached"
    below = settings.tol is not None and outcome.optimality <= settings.tol
    text = (
        f"{head}; {measure} {'<=' if below else '>'} tol={tol}, "
        f"{'but' if below else 'so'} the fit is not certified optimal." + zero
    )
    values = [row["loss"] for row in run.history]
    kept_best = settings.keep_best and run.best_value < run.value
    if kept_best:
        text += (
            f" Returned the parameters of the epoch with the lowest J ({run.best_value:.6g}; "
            f"the last had {run.value:.6g})."
        )
    if not np.isnan(outcome.too_far):
        return text + (
            " The gradient measure fell below tol, but the problem is so ill-conditioned "
            "(nearly collinear features, such as high powers of one variable) that the "
            f"optimum was still about {outcome.too_far:.0%} of the largest coefficient away "
            "(the reach of a Newton step): lower tol, drop or combine collinear features, "
            "or add a penalty (alpha)."
        )
    if getattr(run.problem, "kinked", False):
        return text + (
            " This loss has kinks (hinge, epsilon-insensitive, quantile) where J has no "
            "gradient, and rows sitting at a kink at the optimum keep the gradient measure "
            "from vanishing, so it cannot certify this fit. Run a decaying schedule (such as "
            "'cosine') for a fixed number of epochs with tol=None, or use a smooth loss "
            "(squared_hinge, squared_epsilon_insensitive, huber)."
        )
    if status == SOLVER_STOPPED:
        if outcome.optimality < 1e-6:
            return text + (
                " J no longer decreases in float64 at this precision: tol is below what "
                "rounding lets this problem certify; use a larger tol (such as 1e-8)."
            )
        return text + " Standardize the features and rescale y, or increase max_iter."
    stochastic = getattr(run.stepper, "stochastic", False)
    noise = getattr(run.stepper, "noise", "mini-batch gradients")
    remedy = getattr(
        run.stepper,
        "remedy",
        "continue with exact steps (set_params(batch_size='full', warm_start=True) and fit "
        "again)",
    )
    improving = _still_decreasing(values, stochastic)
    if run.best_value >= run.start_value:
        text += (
            " J never went below its start: the learning rate is too large for this "
            "problem; lower it (try ten times smaller) or standardize the features."
        )
    elif improving and stochastic:
        text += (
            f" J was still decreasing, but steps along {noise} end at a noise floor where "
            "the full gradient does not vanish, so more epochs alone may not certify the "
            f"fit. To reach the optimum, {remedy}."
        )
    elif improving:
        text += " J was still decreasing: increase max_iter (or the learning rate)."
    elif stochastic:
        text += (
            f" J stopped improving at the noise floor of steps along {noise}: they keep "
            "the iterate wandering around the optimum, so the full gradient does not "
            f"vanish. To reach the optimum, {remedy}, or use a larger batch_size or a "
            "decaying schedule ('plateau', 'invscaling') to get closer."
        )
    else:
        text += (
            " J stopped improving while the gradient did not vanish: the steps "
            "oscillate around the optimum. Lower the learning rate or use "
            "schedule='plateau'."
        )
    return text


def _still_decreasing(values: list, stochastic: bool) -> bool:
    """Was J still going down over the last quarter of the epochs?

    For stochastic runs the J of each epoch scatters around a level; the level
    only counts as falling if the last quarter's median is below the previous
    quarter's by more than the last quarter's own spread.
    """
    k = len(values) // 4
    if k < 2:
        return len(values) > 1 and values[-1] < values[0]
    recent, before = np.asarray(values[-k:]), np.asarray(values[-2 * k : -k])
    if not stochastic:
        return bool(recent.min() < before.min())
    spread = np.subtract(*np.percentile(recent, [75, 25]))
    return bool(np.median(recent) < np.median(before) - spread)


def warn_if_not_converged(outcome: Outcome, *, name: str = "", stacklevel: int = 3) -> None:
    """The one place that turns a run's status into a ConvergenceWarning.

    Silent when the fit is certified (``CONVERGED``), stopped early on
    purpose (``EARLY_STOPPED``) or by the caller (``CALLBACK``), or ran a
    fixed number of epochs (``FIXED``) unless J ended above its start.
    """
    if outcome.status in (CONVERGED, EARLY_STOPPED, CALLBACK):
        return
    if outcome.status == FIXED and not any(
        flag in outcome.message for flag in ("ended above its start", "learning rate was 0")
    ):
        return
    warnings.warn(f"{name}{outcome.message}", ConvergenceWarning, stacklevel=stacklevel)


__all__ = [
    "CALLBACK",
    "COLUMNS",
    "CONVERGED",
    "EARLY_STOPPED",
    "FIXED",
    "MAX_ITER",
    "SOLVER_STOPPED",
    "NotFiniteAtStart",
    "Outcome",
    "Settings",
    "TrainState",
    "train",
    "warn_if_not_converged",
]
