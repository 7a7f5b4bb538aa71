"""
=======================
Learning-rate schedules
=======================

A schedule multiplies the base ``learning_rate`` by a factor that changes with
the epoch. With stochastic updates a constant step leaves the parameters
jittering around the optimum; a decaying step lets them settle.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor, compare_solvers
from skgd.plotting import LossCurveDisplay
from skgd.schedules import CosineAnnealing, ExponentialDecay, InverseScaling, StepDecay

X, y = make_regression(n_samples=500, n_features=10, noise=20.0, random_state=1)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
best = compare_solvers(GDRegressor(optimizer="lbfgs"), X, y)["objective"].min()

schedules = {
    "constant": "constant",
    "step (halve every 10)": StepDecay(drop_rate=0.5, epochs_drop=10),
    "exponential (0.9)": ExponentialDecay(decay_rate=0.9),
    "cosine": CosineAnnealing(),
    "inverse scaling": InverseScaling(power_t=0.5),
}
fits = {
    name: GDRegressor(
        optimizer="sgd",
        batch_size=1,
        learning_rate=0.02,
        schedule=schedule,
        max_iter=50,
        tol=None,
        random_state=0,
    ).fit(X, y)
    for name, schedule in schedules.items()
}

# %%
# The factor each schedule applies, read back from ``history_``, and what it
# does to J:
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for name, model in fits.items():
    left.plot(model.history_["epoch"], model.history_["learning_rate"], label=name)
left.set(xlabel="epoch", ylabel="learning rate", yscale="log", title="Learning rate per epoch")
left.grid(True, alpha=0.3)
LossCurveDisplay.from_estimators(fits, reference=best, ax=right, title="J - J* (batch_size=1)")
fig.tight_layout()

# %%
# The constant step stalls at a noise floor set by the learning rate; each
# decaying schedule keeps going down once its step is small enough. Here the
# exponential decay wins, but decaying faster (try ``decay_rate=0.5``) stops
# progress before the optimum is reached: the schedule is a trade-off, which
# is why it is a hyperparameter.
