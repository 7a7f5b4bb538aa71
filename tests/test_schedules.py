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
