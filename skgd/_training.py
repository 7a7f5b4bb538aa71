"""The one training loop shared by every estimator and by :func:`skgd.minimize`.

``train`` is a pure function of the problem (data and J), the optimizer, the
schedule and the settings. It never sees an estimator: it returns a new
:class:`TrainState` and the history rows, and the caller decides what to keep.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .exceptions import ConvergenceWarning, DivergenceError
from .optimizers import Optimizer, OptimizerState
from .schedules import Schedule


@dataclass(frozen=True)
class Settings:
    """How to train: step size, batching, stopping, printing."""

    learning_rate: float
    batch_size: int | None  # None: the full data in one batch
    max_iter: int
    tol: float | None
    n_iter_no_change: int
    shuffle: bool
    verbose: int = 0
    stopping: bool = True  # False for partial_fit: one epoch, no rule, no warning


@dataclass
class TrainState:
    """What training carries from one call to the next (warm_start, partial_fit)."""

    params: np.ndarray
    optimizer_state: OptimizerState
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
    """What one call of :func:`train` did."""

    state: TrainState
    history: list = field(default_factory=list)
    stopped: bool = False  # the stopping rule ended training
    epochs: int = 0


@dataclass(frozen=True)
class Problem:
    """J on one data set, as the kernels see it."""

    data: object  # skgd._kernels.Data
    model: object  # skgd._kernels.Model

    def value(self, params: np.ndarray) -> float:
        from ._kernels import objective

        return objective(self.data, self.model, params, params, False)

    def value_and_gradient(
        self, params: np.ndarray, grad: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """J and its gradient in one pass over the rows (into ``grad`` if given)."""
        from ._kernels import objective

        grad = np.empty_like(params) if grad is None else grad
        return objective(self.data, self.model, params, grad, True), grad

    def reference_value(self, params: np.ndarray) -> float:
        """J, or on large data J on an evenly spaced sample of ``_SAMPLE_ROWS`` rows.

        Only the divergence test uses it, as a scale: a sample keeps a full
        pass over the data out of every fit.
        """
        from ._kernels import objective

        n = self.data.y.shape[0]
        if n <= _SAMPLE_ROWS:
            return self.value(params)
        rows = np.linspace(0, n - 1, _SAMPLE_ROWS).astype(np.int64)
        if not np.any(self.data.w[rows] > 0):
            return self.value(params)
        return objective(self.data, self.model, params, params, False, rows)


_SAMPLE_ROWS = 4096


_BLOW_UP = 1e10


class _Stopper:
    """The n_iter_no_change rule on a score where lower is better."""

    def __init__(self, tol: float | None, patience: int):
        self.tol = tol
        self.patience = patience
        self.best = np.inf
        self.count = 0

    def should_stop(self, value: float) -> bool:
        if self.tol is None:
            return False
        if value > self.best - self.tol:
            self.count += 1
        else:
            self.count = 0
        self.best = min(self.best, value)
        return self.count >= self.patience


def _divergence(epoch: int, lr: float, optimizer: Optimizer, what: str) -> DivergenceError:
    name = type(optimizer).__name__
    return DivergenceError(
        f"Training diverged in epoch {epoch} with learning_rate={lr:.6g} "
        f"(optimizer {name}): {what}. Lower the learning rate (try {lr / 10:.3g}), "
        "standardize the features, or use an adaptive optimizer such as 'adam' "
        "or a decaying schedule.",
        epoch=epoch,
        learning_rate=lr,
    )


def train(
    problem: Problem,
    state: TrainState,
    *,
    optimizer: Optimizer,
    schedule: Schedule,
    settings: Settings,
    rng: np.random.RandomState,
    validation: Callable[[np.ndarray], float] | None = None,
    name: str = "",
    on_epoch: Callable[[np.ndarray], None] | None = None,
) -> Outcome:
    """Run epochs of ``optimizer`` on ``problem`` from ``state``.

    Stops after ``settings.max_iter`` epochs or when the monitored value (J,
    or minus the validation score when ``validation`` is given) has not
    improved by ``tol`` for ``n_iter_no_change`` epochs. ``on_epoch(params)``,
    when given, is called after every completed epoch (``params`` is reused:
    copy it to keep it); estimators use it for ``record_path``.

    Raises
    ------
    DivergenceError
        When J or the parameters stop being finite.
    KeyboardInterrupt
        Re-raised with ``.outcome`` set to the last completed epoch's outcome.
    """
    if optimizer.is_line_search:
        from ._lbfgs import train_lbfgs

        return train_lbfgs(
            problem, state, optimizer=optimizer, settings=settings, name=name, on_epoch=on_epoch
        )

    state = state.copy()
    outcome = Outcome(state=state.copy())
    stopper = _Stopper(settings.tol, settings.n_iter_no_change)
    n = problem.data.y.shape[0]
    batch_size = n if settings.batch_size is None else min(settings.batch_size, n)
    batch_size = max(batch_size, 1)
    epochs = _full_batch_epochs if batch_size >= n else _mini_batch_epochs
    tic = time.perf_counter()
    try:
        for loss, lr in epochs(problem, state, optimizer, schedule, settings, rng, batch_size):
            epoch = state.epoch
            score = np.nan if validation is None else float(validation(state.params))
            seconds = time.perf_counter() - tic
            tic = time.perf_counter()
            row = {
                "epoch": epoch,
                "loss": loss,
                "learning_rate": lr,
                "validation_score": score,
                "seconds": seconds,
            }
            if settings.verbose:
                extra = "" if validation is None else f", validation score={score:.6g}"
                print(
                    f"{name}epoch {epoch}: loss={loss:.6g}{extra}, "
                    f"learning_rate={lr:.4g}, {seconds:.3f} s",
                    flush=True,
                )
            monitored = loss if validation is None else -score
            stop = settings.stopping and stopper.should_stop(monitored)
            # Commit only after the epoch is complete, so an interrupt never
            # exposes a half-updated model.
            outcome.history.append(row)
            outcome.state = state.copy()
            outcome.epochs += 1
            if on_epoch is not None:
                on_epoch(state.params)
            if stop:
                outcome.stopped = True
                break
    except KeyboardInterrupt as exc:
        exc.outcome = outcome
        raise
    if settings.stopping and not outcome.stopped and settings.tol is not None:
        warnings.warn(
            f"{name}Maximum number of epochs ({settings.max_iter}) reached before the "
            "stopping rule was met; consider increasing max_iter or the learning rate.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return outcome


def _check(loss, blow_up, params, epoch, lr, optimizer):
    """Raise DivergenceError unless the epoch ended finite and not blown up."""
    if not np.all(np.isfinite(params)):
        raise _divergence(epoch, lr, optimizer, "the parameters overflowed")
    if not np.isfinite(loss):
        raise _divergence(epoch, lr, optimizer, f"the objective became {loss}")
    if loss > blow_up:
        raise _divergence(
            epoch,
            lr,
            optimizer,
            f"the objective grew to {loss:.3g}, over {_BLOW_UP:.0e} times its start",
        )


def _mini_batch_epochs(problem, state, optimizer, schedule, settings, rng, batch_size):
    """Yield (J after the epoch, learning rate) per epoch, updating ``state`` in place.

    J after an epoch needs one full pass (parallel): a mini-batch epoch moves
    the parameters after every batch, so no running sum gives it exactly.
    """
    from ._kernels import run_epoch

    n = problem.data.y.shape[0]
    hyper = optimizer._hyper()
    # A run whose J grows this far past its start is diverging even while the
    # numbers are still finite (lr=50 on squared error reaches 1e230 first).
    blow_up = _BLOW_UP * (abs(problem.reference_value(state.params)) + 1e-12)
    for _ in range(settings.max_iter):
        epoch = state.epoch + 1
        lr = settings.learning_rate * schedule.multiplier(state.epoch, state.schedule_state)
        order = rng.permutation(n) if settings.shuffle else np.arange(n)
        opt_state = state.optimizer_state
        opt_state.t = run_epoch(
            problem.data,
            problem.model,
            optimizer._code,
            hyper,
            opt_state.slots,
            state.params,
            order,
            batch_size,
            lr,
            opt_state.t,
        )
        loss = problem.value(state.params)
        _check(loss, blow_up, state.params, epoch, lr, optimizer)
        state.schedule_state = schedule.observe(state.schedule_state, loss)
        state.epoch = epoch
        yield loss, lr


def _full_batch_epochs(problem, state, optimizer, schedule, settings, rng, batch_size):
    """Full-batch epochs at one pass over the rows each.

    The pass that computes J after epoch e also gives the gradient that epoch
    e + 1 steps along, so each epoch is one optimizer step plus one
    value-and-gradient pass; the last epoch of ``max_iter`` needs the value
    only. The first pass gives J at the start, the divergence scale, for free.
    """
    from ._kernels import step_all

    hyper = optimizer._hyper()
    n_coef = problem.model.n_features * problem.model.n_outputs
    grad = np.empty_like(state.params)
    loss, _ = problem.value_and_gradient(state.params, grad)
    blow_up = _BLOW_UP * (abs(loss) + 1e-12)
    for it in range(settings.max_iter):
        epoch = state.epoch + 1
        lr = settings.learning_rate * schedule.multiplier(state.epoch, state.schedule_state)
        opt_state = state.optimizer_state
        if np.isfinite(loss):
            opt_state.t += 1
            step_all(
                optimizer._code, state.params, grad, opt_state.slots, hyper, lr, opt_state.t, n_coef
            )
        if not np.all(np.isfinite(state.params)):
            raise _divergence(epoch, lr, optimizer, "the parameters overflowed")
        if it + 1 < settings.max_iter:
            loss, _ = problem.value_and_gradient(state.params, grad)
        else:
            loss = problem.value(state.params)
        _check(loss, blow_up, state.params, epoch, lr, optimizer)
        state.schedule_state = schedule.observe(state.schedule_state, loss)
        state.epoch = epoch
        yield loss, lr


def initial_state(
    params: np.ndarray, optimizer: Optimizer, schedule: Schedule, max_iter: int
) -> TrainState:
    """A fresh state at ``params``."""
    return TrainState(
        params=np.array(params, dtype=np.float64),
        optimizer_state=optimizer.init(params.shape[0]),
        schedule_state=schedule.init(max_iter),
        epoch=0,
    )


__all__ = ["Outcome", "Problem", "Settings", "TrainState", "initial_state", "train"]
