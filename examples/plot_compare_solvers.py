"""
=============================
skgd against L-BFGS-B and OLS
=============================

Because every estimator minimizes one stated objective J,
:func:`skgd.compare_solvers` can check a gradient-descent fit against scipy's
L-BFGS-B on the same J and, where one exists, the closed form. Here: the
diabetes regression, with and without an L2 penalty (ridge).
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor, compare_solvers

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)

tables = {}
for title, params in {
    "no penalty (OLS)": {"penalty": None},
    "L2 penalty, alpha=1 (ridge)": {"penalty": "l2", "alpha": 1.0},
}.items():
    est = GDRegressor(optimizer="sgd", learning_rate=0.3, max_iter=2000, **params)
    tables[title] = compare_solvers(est, X, y)

with pd.option_context("display.width", 120, "display.precision", 4):
    for title, table in tables.items():
        print(title)
        print(table, "\n")

# %%
# How far each solver is from the best J it found (``objective_gap``) and
# from the best coefficients (``max_coef_diff``). Gradient descent with the
# default ``tol`` stops when J no longer improves by 1e-4 over 10 epochs. J
# is then close to the optimum, but without a penalty the coefficients can
# still be far from it: the correlated features of this data set make J
# nearly flat in some directions. The ridge penalty curves those directions,
# and gradient descent lands much closer.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for ax, column in zip(axes, ["objective_gap", "max_coef_diff"]):
    for k, (title, table) in enumerate(tables.items()):
        values = table[column].astype(float).clip(lower=1e-16)
        positions = [i + 0.38 * k for i in range(len(table))]
        ax.barh(positions, values, height=0.36, label=title)
    ax.set_yticks(
        [i + 0.19 for i in range(len(table))],
        table["solver"].str.replace(r"closed form.*", "closed form", regex=True),
    )
    ax.set(xscale="log", xlabel=f"{column} (log scale; 1e-16 = exact)")
axes[0].legend(fontsize="small")
fig.tight_layout()
