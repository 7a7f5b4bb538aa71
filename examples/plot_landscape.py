"""
================================
Optimizer paths on loss surfaces
================================

A picture of where each update rule goes. First the objective J of a
straight-line regression over its two parameters, the intercept and the
slope; then the Rosenbrock function, whose curved valley is the classic test
of an optimizer.
"""

# %%
# A regression's objective
# ------------------------
# With ``x`` not centred, the intercept and the slope are correlated: J is a
# long tilted bowl, and plain gradient descent zig-zags across it while
# momentum and Adam run along it. ``record_path=True`` keeps the parameters
# after each epoch in ``path_``.
import numpy as np

from skgd import GDRegressor, landscapes, minimize
from skgd.plotting import LandscapeDisplay

rng = np.random.RandomState(0)
x = rng.uniform(0, 4, size=(100, 1))
y = 2.0 + 3.0 * x[:, 0] + rng.normal(size=100)

fits = {
    "sgd, lr=0.3": GDRegressor(optimizer="sgd", learning_rate=0.3),
    "momentum, lr=0.05": GDRegressor(optimizer="momentum", learning_rate=0.05),
    "adam, lr=0.5": GDRegressor(optimizer="adam", learning_rate=0.5),
}
for model in fits.values():
    model.set_params(record_path=True, max_iter=60, tol=None).fit(x, y)

display = LandscapeDisplay.from_estimator(
    fits["sgd, lr=0.3"],
    x,
    y,
    paths=fits,
    xlabel="intercept",
    ylabel="slope",
    title="J of a straight-line fit, 60 epochs each",
)

# %%
# The Rosenbrock function
# -----------------------
# :func:`skgd.minimize` runs the same update rules on any function with a
# gradient and returns the iterates in ``path``. Plain gradient descent needs
# a small step to stay stable across the steep walls and then crawls along
# the flat valley floor; momentum builds up speed along the valley.
surface = landscapes.rosenbrock()
results = {
    f"{name}, lr={rate:g}": minimize(
        surface, optimizer=name, learning_rate=rate, max_iter=2000, tol=None
    )
    # Adam first, so that the shorter sgd path is drawn on top of it
    for name, rate in [("adam", 0.05), ("momentum", 1.5e-3), ("sgd", 1.5e-3)]
}
for label, res in results.items():
    print(f"{label:>20}: f = {res.fun:.2e} after {res.nit} steps")

display = LandscapeDisplay.from_function(surface, paths=results)
