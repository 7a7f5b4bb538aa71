"""Steppers: how one epoch moves the parameters, and nothing else.

The engine (:mod:`skgd._engine`) owns the loop, the stopping rule, the
divergence check and the history; a stepper only advances the parameters by
one epoch. :class:`MiniBatch` takes one optimizer step per batch of rows,
:class:`FullBatch` one step along the full gradient the engine has just
computed; scipy's L-BFGS-B (:class:`skgd._lbfgs.LBFGSB`) drives its own
iterations and reports each one to the engine.

Built-in update rules run compiled; a user's :class:`~skgd.optimizers.Optimizer`
subclass that implements ``update`` in NumPy runs through the same steppers
at Python speed per batch.
"""

from __future__ import annotations

import numpy as np


def compiled_rule(optimizer) -> tuple[int, dict] | None:
    """The kernels' (code, hyperparameters) for ``optimizer``, or None to run its NumPy update.

    A class that names a compiled ``rule`` runs it; a subclass that overrides
    ``update`` without naming a rule of its own runs its own ``update``, so
    what it computes is what trains.
    """
    from ._kernels import hyper_struct, rule_code

    cls = type(optimizer)
    owner = next((k for k in cls.__mro__ if "rule" in vars(k)), None)
    if owner is None or owner.rule is None or cls.update is not owner.update:
        return None
    return rule_code(owner.rule), hyper_struct(optimizer._hyper_values())


class FullBatch:
    """One optimizer step per epoch, along the gradient of J over all rows.

    Parameters
    ----------
    optimizer : skgd.optimizers.Optimizer
    """

    stochastic = False
    needs_start_gradient = True

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.name = type(optimizer).__name__
        self._compiled = compiled_rule(optimizer)

    def run(self, run) -> None:
        run.loop(self.epoch)

    def epoch(self, problem, state, lr, grad) -> None:
        opt_state = state.optimizer_state
        n_coef = problem.n_coef or state.params.shape[0]
        if self._compiled is None:
            params, state.optimizer_state = _user_update(
                self.optimizer, grad.copy(), opt_state, state.params, lr, n_coef
            )
            state.params[:] = params
            return
        from ._kernels import step_all

        rule, hyper = self._compiled
        opt_state.t += 1
        step_all(rule, state.params, grad, opt_state.slots, hyper, lr, opt_state.t, n_coef)


class MiniBatch:
    """One optimizer step per batch of ``batch_size`` rows, in shuffled or file order.

    Each batch steps along ``sum_{i in B} w_i dL_i / |B|`` plus the penalty's
    gradient, with the weights of mean 1 over the rows trained on: an
    unbiased estimate of the gradient of J, so a row of weight 10 counts ten
    times at every batch size.

    Parameters
    ----------
    optimizer : skgd.optimizers.Optimizer
    batch_size : int
    shuffle : bool
    rng : numpy.random.RandomState
    """

    stochastic = True
    needs_start_gradient = False

    def __init__(self, optimizer, batch_size: int, *, shuffle: bool, rng):
        self.optimizer = optimizer
        self.name = type(optimizer).__name__
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.rng = rng
        self._compiled = compiled_rule(optimizer)

    def run(self, run) -> None:
        run.loop(self.epoch)

    def epoch(self, problem, state, lr, grad) -> None:
        n = problem.n_rows
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        if problem.rows is not None:  # only the rows of positive weight
            order = problem.rows[order]
        opt_state = state.optimizer_state
        if self._compiled is not None:
            from ._kernels import run_epoch

            rule, hyper = self._compiled
            opt_state.t = run_epoch(
                problem.data,
                problem.model,
                rule,
                hyper,
                opt_state.slots,
                state.params,
                order,
                self.batch_size,
                lr,
                opt_state.t,
            )
            return
        batch_grad = np.empty_like(state.params)
        for start in range(0, order.shape[0], self.batch_size):
            problem.batch_gradient(state.params, order[start : start + self.batch_size], batch_grad)
            params, opt_state = _user_update(
                self.optimizer, batch_grad, opt_state, state.params, lr, problem.n_coef
            )
            state.params[:] = params
        state.optimizer_state = opt_state


def _user_update(optimizer, grad, opt_state, params, lr, n_coef):
    """An ``update`` written in NumPy, its result checked before it lands in the parameters.

    A wrong shape would otherwise be broadcast into every parameter without
    a word (a rule returning ``params[:1]`` trained nothing), and a bare
    array instead of ``(params, state)`` failed inside skgd with "too many
    values to unpack".
    """
    out = optimizer.update(grad, opt_state, params, lr, n_coef)
    name = type(optimizer).__name__
    if not (isinstance(out, tuple) and len(out) == 2):
        raise ValueError(
            f"{name}.update must return (params, state); got {type(out).__name__}"
            + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
            + "."
        )
    new, state = out
    new = np.asarray(new)
    if new.shape != params.shape:
        raise ValueError(
            f"{name}.update returned parameters of shape {new.shape}; they must have the "
            f"shape of the params it was given, {params.shape}."
        )
    if not hasattr(state, "slots"):
        raise ValueError(
            f"{name}.update must return (params, state) with state an OptimizerState; got "
            f"{type(state).__name__} as the state."
        )
    return new, state


__all__ = ["FullBatch", "MiniBatch", "compiled_rule"]
