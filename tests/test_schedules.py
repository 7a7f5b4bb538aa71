"""Schedules: the multiplier per epoch, and the parameter protocol."""

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_regression

from skgd import GDRegressor
from skgd.schedules import (
    Constant,
    CosineAnnealing,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    StepDecay,
    resolve_schedule,
)


@pytest.mark.parametrize(
    "schedule, expected",
    [
        (Constant(), [1, 1, 1, 1]),
        (StepDecay(drop_rate=0.5, epochs_drop=2), [1, 1, 0.5, 0.5]),
        (ExponentialDecay(decay_rate=0.9), [1, 0.9, 0.81, 0.729]),
        (CosineAnnealing(total_epochs=2), [1, 0.5, 0, 0]),
        (CosineAnnealing(total_epochs=2, min_factor=0.2), [1, 0.6, 0.2, 0.2]),
        (InverseScaling(power_t=1.0), [1, 1 / 2, 1 / 3, 1 / 4]),
    ],
    ids=repr,
)
def test_multipliers(schedule, expected):
    state = schedule.init(10)
    got = [schedule.multiplier(e, state) for e in range(4)]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert clone(schedule).get_params() == schedule.get_params()


def test_cosine_defaults_to_max_iter_in_fit():
    X, y = make_regression(n_samples=30, n_features=2, random_state=0)
    model = GDRegressor(
        optimizer="adam", schedule="cosine", max_iter=4, tol=None, learning_rate=0.1
    ).fit(X, y)
    expected = [0.1 * 0.5 * (1 + math.cos(math.pi * e / 4)) for e in range(4)]
    np.testing.assert_allclose(model.history_["learning_rate"].iloc[1:], expected)


def test_reduce_on_plateau_halves_after_patience():
    s = ReduceOnPlateau(factor=0.5, patience=2)
    state = s.init(10)
    for loss in [5.0, 4.0, 4.0, 4.0, 4.0]:
        state = s.observe(state, loss)
    assert s.multiplier(5, state) == 0.5


def test_callable_schedule_and_nested_grid_names():
    X, y = make_regression(n_samples=30, n_features=2, random_state=0)
    model = GDRegressor(
        optimizer="adam", schedule=lambda e: 1.0 / (1 + e), max_iter=3, tol=None
    ).fit(X, y)
    np.testing.assert_allclose(model.history_["learning_rate"].iloc[1:], [0.1, 0.05, 0.1 / 3])
    est = GDRegressor(optimizer="adam", schedule=ExponentialDecay())
    est.set_params(schedule__decay_rate=0.5)
    assert est.schedule.decay_rate == 0.5
    with pytest.raises(ValueError, match="positive finite multiplier"):
        GDRegressor(optimizer="adam", schedule=lambda e: -1.0, max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="drop_rate must be"):
        GDRegressor(optimizer="adam", schedule=StepDecay(drop_rate=0.0)).fit(X, y)
    with pytest.raises(ValueError, match="Did you mean 'plateau'"):
        resolve_schedule("plateu")


def test_cosine_at_its_end_takes_no_step_and_says_so_instead_of_failing():
    # a warm-start fit after a cosine run, or total_epochs < max_iter, used to
    # stop mid-run with "CosineAnnealing.multiplier returned 0.0"
    from sklearn.exceptions import ConvergenceWarning

    from skgd.schedules import CosineAnnealing

    X, y = make_regression(n_samples=30, n_features=2, random_state=0)
    model = GDRegressor(optimizer="adam", schedule="cosine", max_iter=5, tol=None).fit(X, y)
    coef = model.coef_.copy()
    with pytest.warns(ConvergenceWarning, match="learning rate was 0 from epoch 5"):
        model.set_params(warm_start=True).fit(X, y)
    np.testing.assert_array_equal(model.coef_, coef)  # no step was taken
    assert (model.history_["learning_rate"].iloc[-5:] == 0).all()
    short = GDRegressor(optimizer="adam", schedule=CosineAnnealing(total_epochs=3), max_iter=6)
    with pytest.warns(ConvergenceWarning, match="learning rate was 0 from epoch 3"):
        short.fit(X, y)
    # a schedule that is not designed to reach 0 still may not return it
    with pytest.raises(ValueError, match="returned 0.0 for epoch 1"):
        GDRegressor(optimizer="adam", schedule=lambda e: 0.0 if e else 1.0, max_iter=3).fit(X, y)
