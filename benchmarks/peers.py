"""The peers skgd is measured against, each as ``fit(k) -> (coef, intercept)`` for k epochs.

All minimize the same J as skgd's ``GDRegressor(penalty="l2", alpha=ALPHA)``:
mean ½(y - Xw - b)² + ALPHA/2 ‖w‖² (MLP's and torch's penalties are rescaled to it).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize

ALPHA = 1e-4


def objective(X, y, coef, intercept, alpha=ALPHA):
    """J of the squared-error ridge problem, with the machine's BLAS."""
    r = X @ coef.astype(X.dtype) + intercept - y
    return 0.5 * float(np.mean(np.asarray(r, dtype=np.float64) ** 2)) + 0.5 * alpha * float(
        coef @ coef
    )


def blas_gradient(X, y):
    """The physical limit: one full gradient ``X.T @ (X @ w - y)``."""
    w = np.full(X.shape[1], 0.01, dtype=X.dtype)
    yy = y.astype(X.dtype)

    def run():
        return X.T @ (X @ w - yy)

    return run


def normal_equations(X, y, alpha=ALPHA):
    """Ridge optimum from the (d+1)² normal equations; intercept unpenalized."""
    n, d = X.shape
    Xd = X if X.dtype == np.float64 else X.astype(np.float64)
    mean = Xd.mean(axis=0)
    ym = y.mean()
    gram = Xd.T @ Xd / n - np.outer(mean, mean) + alpha * np.eye(d)
    coef = np.linalg.solve(gram, Xd.T @ y / n - mean * ym)
    return coef, ym - mean @ coef


def lstsq(X, y):
    """OLS by ``numpy.linalg.lstsq`` on [X, 1]."""
    A = np.hstack([X, np.ones((X.shape[0], 1), X.dtype)])
    sol = np.linalg.lstsq(A, y.astype(X.dtype), rcond=None)[0]
    return sol[:-1], sol[-1]


def scipy_lbfgs(X, y, k, alpha=ALPHA):
    """scipy L-BFGS-B on J with numpy/BLAS value and gradient, k iterations."""
    n, d = X.shape
    yy = y.astype(X.dtype)

    def fun(theta):
        w = theta[:d].astype(X.dtype)
        r = X @ w + theta[d] - yy
        g = np.empty(d + 1)
        g[:d] = X.T @ r / n + alpha * theta[:d]
        g[d] = r.mean()
        return 0.5 * float(r @ r) / n + 0.5 * alpha * float(theta[:d] @ theta[:d]), g

    res = minimize(
        fun,
        np.zeros(d + 1),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": k, "gtol": 0, "ftol": 0},
    )
    return res.x[:d], res.x[d]


def sklearn_sgd(X, y, k, lr, learning_rate="constant", alpha=ALPHA):
    from sklearn.linear_model import SGDRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SGDRegressor(
            max_iter=k,
            tol=None,
            eta0=lr,
            learning_rate=learning_rate,
            penalty="l2",
            alpha=alpha,
            random_state=0,
        ).fit(X, y)
    return m.coef_, m.intercept_[0]


def sklearn_sgd_classifier(X, y, k, lr, alpha=ALPHA):
    from sklearn.linear_model import SGDClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SGDClassifier(
            loss="log_loss",
            max_iter=k,
            tol=None,
            eta0=lr,
            learning_rate="constant",
            alpha=alpha,
            random_state=0,
        ).fit(X, y)
    return m.coef_, m.intercept_


def mlp_adam(X, y, k, batch_size, lr, alpha=ALPHA):
    """MLPRegressor with no hidden layer: a linear model trained by Adam."""
    from sklearn.neural_network import MLPRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # MLP divides its L2 term by the batch size: alpha * batch_size is the same J
        m = MLPRegressor(
            hidden_layer_sizes=(),
            solver="adam",
            batch_size=batch_size,
            learning_rate_init=lr,
            max_iter=k,
            tol=0.0,
            n_iter_no_change=k + 1,
            alpha=alpha * batch_size,
            random_state=0,
        ).fit(X, y)
    return m.coefs_[0].ravel(), m.intercepts_[0][0]


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_adam(X, y, k, batch_size, lr, alpha=ALPHA):
    """torch.optim.Adam on ``nn.Linear`` on the CPU, the usual hand-written loop."""
    import torch

    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(X.dtype))
    gen = torch.Generator().manual_seed(0)
    model = torch.nn.Linear(X.shape[1], 1, dtype=dtype)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.fill_(float(y.mean()))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = X.shape[0]
    for _ in range(k):
        perm = torch.randperm(n, generator=gen)
        for s in range(0, n, batch_size):
            idx = perm[s : s + batch_size]
            opt.zero_grad()
            r = model(Xt[idx]).squeeze(1) - yt[idx]
            loss = 0.5 * (r * r).mean() + 0.5 * alpha * (model.weight * model.weight).sum()
            loss.backward()
            opt.step()
    return (
        model.weight.detach().numpy().ravel().astype(np.float64),
        float(model.bias.detach().numpy()[0]),
    )
