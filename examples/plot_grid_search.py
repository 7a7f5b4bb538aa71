"""
==================================
Tuning the learning rate by search
==================================

The learning rate is an ordinary hyperparameter, so
:class:`~sklearn.model_selection.GridSearchCV` can choose it. A rate that
makes training diverge raises :class:`skgd.DivergenceError` inside ``fit``;
the search records the ``error_score`` (NaN) for it and ranks it last.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor
from skgd.plotting import LearningRateDisplay

X, y = load_diabetes(return_X_y=True)
pipe = make_pipeline(StandardScaler(), GDRegressor(optimizer="sgd", max_iter=200))
rates = np.logspace(-3, 0.5, 8)
search = GridSearchCV(pipe, {"gdregressor__learning_rate": rates}, cv=3)
with warnings.catch_warnings():
    # the diverging candidates warn (FitFailedWarning) and the slow ones do
    # not converge in 200 epochs (ConvergenceWarning): both are the point here
    warnings.simplefilter("ignore")
    search.fit(X, y)

scores = search.cv_results_["mean_test_score"]
for rate, score in zip(rates, scores):
    print(f"learning_rate={rate:8.4f}  mean R^2={score:7.3f}")
print("best:", search.best_params_)

# %%
# The mean cross-validated R^2 per rate; NaN (diverged) rates are marked at
# the bottom.
fig, ax = plt.subplots(figsize=(6, 4))
ok = np.isfinite(scores)
ax.plot(rates[ok], scores[ok], "o-", label="mean R^2 over 3 folds")
floor = np.nanmin(scores)
ax.plot(rates[~ok], np.full((~ok).sum(), floor), "rx", markersize=10, label="diverged (NaN)")
ax.axvline(search.best_params_["gdregressor__learning_rate"], color="gray", ls="--", label="best")
ax.set(xscale="log", xlabel="learning rate", ylabel="R^2", title="GridSearchCV over learning rates")
ax.legend()
ax.grid(True, alpha=0.3)
fig.tight_layout()

# %%
# Why: the loss curves of a too small, a good and a too large rate, fitted
# once on all the data.
display = LearningRateDisplay.from_estimator(
    pipe, X, y, learning_rates=[rates[0], search.best_params_["gdregressor__learning_rate"], 3.0]
)
