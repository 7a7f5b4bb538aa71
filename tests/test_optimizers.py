"""One table of optimizers; every rule gets the same checks (add one line to test a new one)."""

import numpy as np
import pytest
from sklearn.base import clone

from skgd.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    NAdam,
    RMSProp,
    resolve_optimizer,
)

# (optimizer, learning rate that converges on the bowl below within 2000 steps)
TABLE = [
    (SGD(), 0.1),
    (SGD(momentum=0.9), 0.02),
    (SGD(momentum=0.9, nesterov=True), 0.02),
    (AdaGrad(), 0.5),
    (RMSProp(), 0.01),
    (Adam(), 0.05),
    (Adam(amsgrad=True), 0.05),
    (AdamW(weight_decay=0.0), 0.05),
    (NAdam(), 0.05),
]
H = np.diag([1.0, 5.0, 10.0])
TARGET = np.array([1.0, -2.0, 0.5])


def bowl_grad(x):
    return H @ (x - TARGET)


@pytest.mark.parametrize("opt, lr", TABLE, ids=repr)
def test_converges_on_a_bowl(opt, lr):
    params, state = np.zeros(3), opt.init(3)
    for _ in range(2000):
        params, state = opt.update(bowl_grad(params), state, params, lr)
    np.testing.assert_allclose(params, TARGET, atol=2e-3)
    assert state.t == 2000


@pytest.mark.parametrize("opt, lr", TABLE, ids=repr)
def test_update_is_pure_and_clone_keeps_params(opt, lr):
    params, grad = np.ones(3), np.array([0.5, -1.0, 2.0])
    state = opt.init(3)
    slots = state.slots.copy()
    new, new_state = opt.update(grad, state, params, lr)
    np.testing.assert_array_equal(params, np.ones(3))
    np.testing.assert_array_equal(state.slots, slots)
    assert state.t == 0 and new_state.t == 1
    assert not np.array_equal(new, params)
    copy = clone(opt)
    assert copy.get_params() == opt.get_params() and copy is not opt


def test_momentum_follows_the_spec_formula():
    # v <- beta v + g ; theta <- theta - lr v
    opt = SGD(momentum=0.5)
    p, s = opt.update(np.array([1.0]), opt.init(1), np.zeros(1), 0.1)
    p, s = opt.update(np.array([1.0]), s, p, 0.1)
    np.testing.assert_allclose(p, [-(0.1 * 1.0) - 0.1 * (0.5 * 1.0 + 1.0)])


def test_adamw_is_adam_plus_decoupled_decay_on_coefficients_only():
    grad, params = np.array([0.3, -0.2]), np.array([2.0, 3.0])
    adam_params, _ = Adam().update(grad, Adam().init(2), params, 0.1)
    w_params, _ = AdamW(weight_decay=0.5).update(grad, AdamW().init(2), params, 0.1, n_coef=1)
    # coefficient: decayed first, then the same Adam step; intercept: Adam only
    np.testing.assert_allclose(w_params[0], params[0] * (1 - 0.05) + (adam_params[0] - 2.0))
    np.testing.assert_allclose(w_params[1], adam_params[1])


def test_every_string_resolves_and_typos_get_a_hint():
    for name in OPTIMIZERS:
        assert resolve_optimizer(name) is not resolve_optimizer(name)
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        resolve_optimizer("rmsprob")
    with pytest.raises(ValueError, match="nesterov=True needs momentum"):
        SGD(nesterov=True).init(2)
    with pytest.raises(ValueError, match="momentum must be"):
        SGD(momentum=1.0).init(2)
