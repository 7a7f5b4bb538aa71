"""Every loss and penalty gradient against central differences (check_gradient)."""

import numpy as np
import pytest

from skgd import check_gradient
from skgd._kernels import Model, make_data, objective
from skgd.losses import LOSSES, MULTINOMIAL, loss_value_gradient
from skgd.penalties import add_penalty_gradient, penalty_strengths, penalty_value

ALL_LOSSES = [
    (family, name, info) for family, table in LOSSES.items() for name, info in table.items()
] + [("classification", "multinomial", MULTINOMIAL)]
PENALTIES = [None, "l2", "l1", "elasticnet"]


def _data(family, name, n_outputs, rng):
    X = rng.normal(size=(40, 3))
    if family == "classification":
        y = rng.randint(0, max(n_outputs, 2), size=40).astype(float)
    elif family == "growth":
        y = rng.poisson(5.0, size=40).astype(float) + (1.0 if name == "log_squared_error" else 0)
    else:
        y = rng.normal(size=40) * 3
    return X, y


@pytest.mark.parametrize("family, name, info", ALL_LOSSES, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("penalty", PENALTIES)
def test_objective_gradient_matches_finite_differences(family, name, info, penalty):
    rng = np.random.RandomState(0)
    n_outputs = 3 if info is MULTINOMIAL or name in ("hinge", "squared_hinge") else 1
    X, y = _data(family, name, n_outputs, rng)
    if info.log_target:
        y = np.log(y)
    w = rng.uniform(0.5, 2.0, size=40)
    a2, a1 = penalty_strengths(penalty, 0.3, 0.5)
    model = Model(3, n_outputs, info.code, 0.5, a2, a1, True)
    data = make_data(X, y, w)
    # a random point away from 0 keeps the L1 kink and the hinge kinks out of reach
    theta = rng.uniform(0.2, 0.6, size=4 * n_outputs) * rng.choice([-1, 1], size=4 * n_outputs)

    def fun(p):
        return objective(data, model, p, p, False)

    def grad(p):
        g = np.empty_like(p)
        objective(data, model, p, g, True)
        return g

    assert check_gradient(fun, grad, theta, eps=1e-6) < 1e-6


@pytest.mark.parametrize("family, name, info", ALL_LOSSES, ids=lambda v: str(v)[:30])
def test_pointwise_loss_gradient(family, name, info):
    rng = np.random.RandomState(1)
    n_outputs = 3 if info is MULTINOMIAL else 1
    for _ in range(20):
        y = float(rng.randint(0, n_outputs if n_outputs > 1 else 2))
        if family == "regression":
            y = rng.normal()
        if family == "growth":
            y = float(rng.poisson(3))
        eta = rng.normal(size=n_outputs)

        def fun(e, y=y):
            return loss_value_gradient(info, [y], [e])[0][0]

        def grad(e, y=y):
            return loss_value_gradient(info, [y], [e])[1][0]

        assert check_gradient(fun, grad, eta) < 1e-6


def test_losses_are_zero_or_minimal_at_a_perfect_fit():
    sq = LOSSES["regression"]["squared_error"]
    assert loss_value_gradient(sq, [2.0], [[2.0]])[0][0] == 0.0
    pois = LOSSES["growth"]["poisson"]
    value, grad = loss_value_gradient(pois, [5.0], [[np.log(5.0)]])
    assert abs(value[0]) < 1e-12 and abs(grad[0, 0]) < 1e-12
    logl = LOSSES["classification"]["log_loss"]
    # huge scores do not overflow
    value, grad = loss_value_gradient(logl, [0.0, 1.0], [[800.0], [-800.0]])
    np.testing.assert_allclose(value, [800.0, 800.0])
    np.testing.assert_allclose(grad[:, 0], [1.0, -1.0])


@pytest.mark.parametrize("penalty", PENALTIES)
def test_penalty_value_and_gradient(penalty):
    rng = np.random.RandomState(2)
    a2, a1 = penalty_strengths(penalty, 0.7, 0.3)
    params = rng.uniform(0.1, 1.0, size=6) * rng.choice([-1, 1], size=6)
    n_coef = 4  # the last two are intercepts: never penalized

    def grad(p):
        g = np.zeros_like(p)
        add_penalty_gradient(p, n_coef, a2, a1, g)
        return g

    assert check_gradient(lambda p: penalty_value(p, n_coef, a2, a1), grad, params) < 1e-8
    assert np.all(grad(params)[n_coef:] == 0)
    if penalty == "elasticnet":
        coef = params[:n_coef]
        expected = 0.7 * (0.7 * 0.5 * np.sum(coef**2) + 0.3 * np.sum(np.abs(coef)))
        assert np.isclose(penalty_value(params, n_coef, a2, a1), expected)


def test_check_gradient_catches_a_wrong_gradient():
    x = np.array([1.0, 2.0])
    assert check_gradient(lambda v: np.sum(v**2), lambda v: 2 * v, x) < 1e-8
    assert check_gradient(lambda v: np.sum(v**2), lambda v: 2.1 * v, x) > 0.04
