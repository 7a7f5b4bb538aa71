"""
==========================================
Batch, mini-batch and stochastic gradients
==========================================

``batch_size`` sets how many rows each update uses: ``"full"`` is batch
gradient descent (one update per epoch), ``1`` is stochastic gradient descent
(one update per row) and anything between is mini-batch. Each update uses the
mean of its rows' gradients (weighted), an unbiased estimate of the
gradient of J, so ``learning_rate`` means the same for all of them; what
changes is the number of updates per epoch and their noise.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor, compare_solvers
from skgd.plotting import LossCurveDisplay

X, y = make_regression(n_samples=2000, n_features=20, noise=10.0, random_state=0)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
best = compare_solvers(GDRegressor(optimizer="lbfgs"), X, y)["objective"].min()

fits = {}
for batch_size in ["full", 64, 8, 1]:
    model = GDRegressor(
        optimizer="sgd",
        learning_rate=0.02,
        batch_size=batch_size,
        max_iter=40,
        tol=None,
        random_state=0,
    )
    fits[f"batch_size={batch_size}"] = model.fit(X, y)

# %%
# Against epochs and against time
# -------------------------------
# Per pass over the data (left), smaller batches make more (noisier) updates
# and get closer to the optimum; stochastic updates then stall at a noise
# floor set by the learning rate.
#
# ``history_["seconds"]`` records the time of each epoch (row 0: the pass at
# the start), so the same runs can be drawn against wall-clock time (right),
# which is what matters in practice. What an epoch costs depends on the batch
# size, the data and the machine: measure it rather than assume it.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
LossCurveDisplay.from_estimators(fits, reference=best, ax=left, title="J - J* per epoch")
for label, model in fits.items():
    seconds = np.cumsum(model.history_["seconds"])
    right.plot(seconds, model.history_["loss"] - best, label=label)
right.set(xscale="log", yscale="log", xlabel="seconds (cumulative)", title="J - J* against time")
right.legend()
right.grid(True, alpha=0.3)
fig.tight_layout()
