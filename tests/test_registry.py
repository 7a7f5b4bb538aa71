"""Registries: every optimizer and loss is declared once, and its compiled branch is its reference.

A registered rule or loss without a compiled branch, or a compiled branch that
no registered name uses, fails here; so does a compiled branch that computes
anything other than the NumPy / Python reference. The extension path is shown
by Lion and the quantile loss, and by a user's own rule written in NumPy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import QuantileRegressor
from sklearn.preprocessing import StandardScaler

from skgd import ExponentialGrowthRegressor, GDClassifier, GDRegressor, minimize
from skgd import _kernels as kernels
from skgd._kernels import _losses
from skgd.landscapes import rosenbrock
from skgd.losses import LOSSES, MULTINOMIAL, loss_value_gradient
from skgd.optimizers import (
    OPTIMIZERS,
    REGISTRY,
    SGD,
    Adam,
    AdamW,
    Lion,
    NAdam,
    Optimizer,
    OptimizerState,
    resolve_optimizer,
)

RULES = [cls for cls in REGISTRY if cls.rule is not None]


# ---------------------------------------------------------------- both directions
def test_every_registered_rule_has_a_compiled_branch_and_back():
    named = [cls.rule for cls in RULES]
    assert sorted(named) == sorted(kernels.RULE_NAMES)  # each branch used exactly once
    for cls in REGISTRY:
        assert set(cls.hyperparameters) <= set(kernels.HYPERPARAMETERS), cls
        assert isinstance(cls.slots, tuple)
    used = {name for cls in REGISTRY for name in cls.hyperparameters}
    # the kernels' Hyper has a field for SGD's nesterov flag and every rule's numbers
    assert used == set(kernels.HYPERPARAMETERS)
    # every string of optimizer= resolves to a registered class
    assert {type(resolve_optimizer(name)) for name in OPTIMIZERS} == set(REGISTRY)


def test_every_registered_loss_has_a_compiled_branch_and_back():
    infos = [info for family in LOSSES.values() for info in family.values()] + [MULTINOMIAL]
    assert {info.kernel for info in infos} == set(kernels.LOSS_NAMES)
    for info in infos:
        assert kernels.LOSS_NAMES[info.code] == info.kernel == info.function.__name__


def test_every_compiled_rule_code_acts_and_no_other_code_does():
    # probes the compiled branches themselves, not a list of their names: a
    # name whose branch is missing, or a branch no name reaches, fails here
    from skgd._kernels import _rules

    names = list(kernels.RULE_NAMES)
    hyper = kernels.hyper_struct(
        {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "rho": 0.9, "momentum": 0.5}
    )
    for code in range(len(names) + 16):
        params = np.ones(3)
        slots = np.zeros((3, 3))
        _rules.step(code, params, np.array([0.5, -0.5, 1.0]), slots, hyper, 0.1, 1, 2)
        if code < len(names):
            assert np.all(np.isfinite(params)) and np.all(params != 1.0), names[code]
        else:
            assert np.all(np.isnan(params)), f"code {code} has a compiled branch but no name"


def test_every_compiled_loss_code_acts_and_no_other_code_does():
    names = list(kernels.LOSS_NAMES)
    for code in range(len(names) + 16):
        value, grad = _losses.value_and_derivative(code, 1.0, np.array([0.3, -0.2, 0.1]), 0.3)
        if code < len(names):
            assert np.isfinite(value) and np.all(np.isfinite(grad)), names[code]
        else:
            assert np.isnan(value), f"loss code {code} has a compiled branch but no name"


def test_an_unknown_branch_is_a_clear_error():
    with pytest.raises(ValueError, match="no loss 'cubic'"):
        kernels.loss_code("cubic")
    with pytest.raises(ValueError, match="no rule 'adabelief'"):
        kernels.rule_code("adabelief")
    with pytest.raises(ValueError, match="no hyperparameter"):
        kernels.hyper_struct({"gamma": 1.0})


# ---------------------------------------------------------------- compiled = reference
VARIANTS = [
    SGD(),
    SGD(momentum=0.9),
    SGD(momentum=0.8, nesterov=True),
    resolve_optimizer("adagrad"),
    resolve_optimizer("rmsprop"),
    Adam(),
    Adam(beta1=0.5, amsgrad=True),
    AdamW(weight_decay=0.3),
    NAdam(),
    Lion(),
    Lion(beta1=0.5, weight_decay=0.2),
] + [cls() for cls in RULES]  # every registered rule at its defaults, whatever is added


@pytest.mark.parametrize("optimizer", VARIANTS, ids=repr)
def test_compiled_rule_equals_its_numpy_reference(optimizer):
    from skgd._steppers import compiled_rule

    rng = np.random.RandomState(0)
    n, n_coef = 7, 5
    rule, hyper = compiled_rule(optimizer)
    params = rng.randn(n)
    state = optimizer.init(n)
    slots = state.slots.copy()
    compiled = params.copy()
    for t in range(1, 30):
        grad = rng.randn(n) * 10.0 ** rng.uniform(-3, 1)
        params, state = optimizer.update(grad, state, params, 0.05, n_coef)
        kernels.step_all(rule, compiled, grad, slots, hyper, 0.05, t, n_coef)
        np.testing.assert_allclose(compiled, params, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(slots, state.slots, rtol=1e-12, atol=1e-14)
    assert state.t == 29


LOSS_CASES = [
    (info, K)
    for family in LOSSES.values()
    for info in family.values()
    for K in ([1, 3] if info.kernel in ("hinge", "squared_hinge", "modified_huber") else [1])
] + [(MULTINOMIAL, 3)]


@pytest.mark.parametrize(
    "info, K", LOSS_CASES, ids=[f"{i.name}-{i.kernel}-{k}" for i, k in LOSS_CASES]
)
def test_compiled_loss_equals_its_python_reference(info, K):
    rng = np.random.RandomState(1)
    param = 0.3 if info.kernel != "quantile" else 0.25
    for _ in range(200):
        eta = rng.randn(K) * 2
        if info.kernel in ("poisson", "exp_squared_error"):
            y = float(rng.poisson(3.0))
        elif K > 1 or info.kernel in ("log_loss", "hinge", "squared_hinge", "modified_huber"):
            y = float(rng.randint(max(K, 2)))
        else:
            y = float(rng.randn() * 2)
        value, grad = _losses.value_and_derivative(info.code, y, eta, param)
        ref_value, ref_grad = loss_value_gradient(info, [y], [eta], param)
        assert value == pytest.approx(ref_value[0], rel=1e-13, abs=1e-15)
        np.testing.assert_allclose(grad, ref_grad[0], rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------- Lion
def test_lion_step_by_step_by_hand():
    opt = Lion(beta1=0.9, beta2=0.99, weight_decay=0.1)
    params, state = np.array([1.0, -2.0, 0.5]), opt.init(3)
    lr = 0.01
    grads = [np.array([0.3, -0.2, 0.0]), np.array([-0.5, -0.1, 0.4]), np.array([0.2, 0.3, -1.0])]
    # by hand: c = 0.9 m + 0.1 g; theta <- theta (1 - lr wd) - lr sign(c); m <- 0.99 m + 0.01 g
    m = np.zeros(3)
    expected = params.copy()
    for g in grads:
        c = 0.9 * m + 0.1 * g
        expected = expected * (1 - lr * 0.1) - lr * np.sign(c)
        m = 0.99 * m + 0.01 * g
        params, state = opt.update(g, state, params, lr)
        np.testing.assert_allclose(params, expected, rtol=0, atol=1e-15)
        np.testing.assert_allclose(state.slots[0], m, rtol=0, atol=1e-15)
    # written out for the first step: c = 0.1 g -> signs (+, -, 0)
    first = Lion(weight_decay=0.1).update(grads[0], Lion().init(3), np.array([1.0, -2.0, 0.5]), lr)
    np.testing.assert_allclose(first[0], [0.999 - 0.01, -1.998 + 0.01, 0.4995], atol=1e-15)


class NumpyLion(Optimizer):
    """Lion written by a user in NumPy: no compiled rule, the engine calls this per batch."""

    slots = ("m",)

    def __init__(self, beta1=0.9, beta2=0.99, weight_decay=0.0):
        self.beta1 = beta1
        self.beta2 = beta2
        self.weight_decay = weight_decay

    def update(self, grad, state, params, learning_rate, n_coef=None):
        state = state.copy()
        state.t += 1
        m = state.slots[0]
        params = np.array(params, dtype=float)
        n_coef = params.shape[0] if n_coef is None else n_coef
        params[:n_coef] *= 1.0 - learning_rate * self.weight_decay
        params -= learning_rate * np.sign(self.beta1 * m + (1 - self.beta1) * grad)
        m *= self.beta2
        m += (1 - self.beta2) * grad
        return params, state


def _flu():
    from skgd.datasets import load_boarding_school_flu

    t, counts = load_boarding_school_flu(return_X_y=True)
    return t[:6], counts[:6]


@pytest.mark.parametrize("batch_size", [1, 16, "full"])
@pytest.mark.parametrize("kind", ["regressor", "classifier", "growth"])
def test_your_own_numpy_lion_equals_the_built_in_lion(kind, batch_size):
    from skgd._steppers import compiled_rule

    assert compiled_rule(NumpyLion()) is None  # it runs through the NumPy path
    rng = np.random.RandomState(0)
    X = rng.randn(50, 3)
    if kind == "regressor":
        cls, y = GDRegressor, X @ [1.0, -2.0, 0.5] + 0.3
    elif kind == "classifier":
        cls, y = GDClassifier, np.digitize(X @ [1.0, -2.0, 0.5], [-1, 1])
    else:
        cls, (X, y) = ExponentialGrowthRegressor, _flu()
    kw = dict(learning_rate=0.01, batch_size=batch_size, max_iter=15, tol=None, random_state=0)
    kw.update(penalty="l2", alpha=0.01)
    ours = cls(optimizer=NumpyLion(weight_decay=0.1), **kw).fit(X, y)
    built_in = cls(optimizer=Lion(weight_decay=0.1), **kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, built_in.coef_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, built_in.intercept_, rtol=1e-12, atol=1e-12)
    # and in partial_fit chains
    extra = {"classes": np.unique(y)} if kind == "classifier" else {}
    for est in (ours, built_in):
        for rows in (slice(0, 3), slice(3, 6)):
            est.partial_fit(X[rows], y[rows], **extra)
    np.testing.assert_allclose(ours.coef_, built_in.coef_, rtol=1e-12, atol=1e-12)
    assert ours.t_ == built_in.t_


def test_your_own_numpy_lion_in_minimize():
    surface = rosenbrock()
    ours = minimize(surface, optimizer=NumpyLion(), learning_rate=1e-3, max_iter=500, tol=None)
    built_in = minimize(surface, optimizer=Lion(), learning_rate=1e-3, max_iter=500, tol=None)
    np.testing.assert_allclose(ours.path, built_in.path, rtol=1e-12, atol=1e-12)


def test_a_rule_without_update_says_which_method_is_missing():
    class Incomplete(Optimizer):
        pass

    with pytest.raises(NotImplementedError, match="Incomplete must implement update"):
        GDRegressor(optimizer=Incomplete()).fit(np.eye(3), [1.0, 2.0, 3.0])


def test_a_subclass_that_rewrites_update_runs_its_own_rule():
    from skgd._steppers import compiled_rule

    class Halved(Adam):
        def update(self, grad, state, params, learning_rate, n_coef=None):
            return super().update(grad, state, params, learning_rate / 2, n_coef)

    assert compiled_rule(Adam()) is not None and compiled_rule(Halved()) is None
    X = np.random.RandomState(0).randn(30, 2)
    y = X @ [1.0, 2.0]
    kw = dict(max_iter=5, tol=None)
    halved = GDRegressor(optimizer=Halved(), **kw).fit(X, y)
    half_rate = GDRegressor(optimizer=Adam(), learning_rate=0.05, **kw).fit(X, y)
    np.testing.assert_allclose(halved.coef_, half_rate.coef_, rtol=1e-12)


def test_state_of_a_user_rule_round_trips_through_partial_fit():
    X = np.random.RandomState(0).randn(40, 2)
    y = X @ [1.0, -1.0]
    est = GDRegressor(optimizer=NumpyLion(), batch_size=8, learning_rate=0.01)
    est.partial_fit(X, y).partial_fit(X, y)
    assert isinstance(est.optimizer_state_, OptimizerState)
    assert est.optimizer_state_.slots.shape == (1, 3) and est.t_ == 10


# ---------------------------------------------------------------- the quantile loss
@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_quantile_matches_quantile_regressor_on_diabetes(q):
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = QuantileRegressor(quantile=q, alpha=0.0, solver="highs").fit(X, y)
    # the pinball loss has kinks: full-batch Adam annealed to a zero step
    est = GDRegressor(loss="quantile", quantile=q, optimizer="adam", learning_rate=1.0)
    est.set_params(schedule="cosine", max_iter=3000, tol=None).fit(X, y)
    scale = np.max(np.abs(ref.coef_))
    assert np.max(np.abs(est.coef_ - ref.coef_)) <= 1e-2 * scale
    assert est.intercept_ == pytest.approx(ref.intercept_, rel=1e-2)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_quantile_predictions_split_the_targets_at_q(q):
    rng = np.random.RandomState(3)
    X = rng.uniform(-2, 2, size=(2000, 2))
    # heteroscedastic noise: the quantile lines are not parallel to the mean
    y = 1.0 + X @ [2.0, -1.0] + (0.5 + 0.5 * np.abs(X[:, 0])) * rng.standard_t(5, size=2000)
    est = GDRegressor(loss="quantile", quantile=q, optimizer="adam", learning_rate=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.set_params(schedule="cosine", max_iter=1500, tol=None).fit(X, y)
    below = np.mean(y < est.predict(X))
    assert abs(below - q) <= 0.02


def test_quantile_needs_a_quantile_in_the_open_unit_interval():
    with pytest.raises(ValueError, match="quantile must be a real number in \\(0.0, 1.0\\)"):
        GDRegressor(loss="quantile", quantile=1.0).fit(np.eye(2), [0.0, 1.0])
