"""
========================================
Fitting an epidemic's exponential growth
========================================

In January 1978 an influenza outbreak went through an English boarding school
(763 boys). The number of boys confined to bed rose exponentially for five
days, then peaked as the susceptible boys ran out. We fit
``I(t) = I0 * exp(r t)`` to the growth phase with
:class:`~skgd.ExponentialGrowthRegressor` (Poisson loss: the maximum
likelihood fit for counts), read off the growth rate and the doubling time
with their 95% intervals, and look at the objective J over ``(log I0, r)``.
"""

# %%
# The data and the fit
# --------------------
import matplotlib.pyplot as plt
import numpy as np

from skgd import ExponentialGrowthRegressor
from skgd.datasets import load_boarding_school_flu
from skgd.plotting import LandscapeDisplay

flu = load_boarding_school_flu(as_frame=True)
days, in_bed = flu.data.to_numpy(), flu.target.to_numpy()
window = days[:, 0] <= 5  # the exponential phase: the peak is on day 6
model = ExponentialGrowthRegressor(record_path=True).fit(days[window], in_bed[window])
ci = model.confidence_interval(level=0.95)
print(ci.round(3))
r, (r_lo, r_hi) = model.growth_rate_, ci.loc["growth_rate", ["lower", "upper"]]
dt, (dt_lo, dt_hi) = model.doubling_time_, ci.loc["doubling_time", ["lower", "upper"]]
print(f"growth rate r = {r:.3f} per day (95% CI {r_lo:.3f} to {r_hi:.3f})")
print(f"doubling time = {24 * dt:.1f} hours (95% CI {24 * dt_lo:.1f} to {24 * dt_hi:.1f})")

# %%
# The curve and its interval
# --------------------------
# The band is the 95% confidence interval of the mean curve at each day, from
# the covariance of ``(r, log I0)`` by the delta method: ``log I(t) = log I0 +
# r t`` has variance ``[t, 1] Σ [t, 1]ᵀ``. The two estimates are negatively
# correlated, so the band is narrowest inside the fitted days and widens
# beyond them.
t = np.linspace(1, 7, 200)
design = np.column_stack([t, np.ones_like(t)])
se_log = np.sqrt(np.einsum("ij,jk,ik->i", design, model.covariance_, design))
# the quantile confidence_interval used (normal or t, by the dispersion)
z = (r_hi - r) / model.bse_[0]
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(days[window, 0], in_bed[window], "o", color="C0", label="fitted days (1-5)")
ax.plot(days[~window, 0], in_bed[~window], "o", mfc="none", color="C0", label="after the peak")
ax.plot(t, model.predict(t[:, None]), color="C3", label=f"I0·exp(r t), r = {r:.2f}/day")
ax.fill_between(
    t,
    model.predict(t[:, None]) * np.exp(-z * se_log),
    model.predict(t[:, None]) * np.exp(z * se_log),
    color="C3",
    alpha=0.2,
    label="95% confidence band of the mean",
)
ax.set(
    yscale="log",
    xlabel="day",
    ylabel="boys confined to bed",
    title=f"Doubling time {24 * dt:.0f} h (95% CI {24 * dt_lo:.0f}-{24 * dt_hi:.0f} h)",
)
ax.set_ylim(1, 1e4)
ax.legend(loc="upper right", fontsize="small")
ax.grid(True, alpha=0.3)

# %%
# The objective over (log I0, r)
# ------------------------------
# J is the mean Poisson deviance. Its valley is long and tilted: a larger
# growth rate with a smaller starting value fits almost as well, which is the
# negative correlation of the two estimates. ``fit`` starts from the
# log-linear least-squares line, already close to the optimum, so its own
# L-BFGS-B path (``record_path=True``) is short. To see the optimizers work,
# we start them far away, at r = 0.4 and log I0 = 1.5, with
# :func:`skgd.minimize` on the same J (:func:`skgd.objective`).
from skgd import minimize, objective  # noqa: E402

obj = objective(model, days[window], in_bed[window])
start = np.array([0.4, 1.5])  # the order of obj: coef (r), then intercept (log I0)
paths = {"fit (L-BFGS-B from the log-linear start)": model}
for name, rate in [("lbfgs", 1.0), ("momentum", 1e-3), ("adam", 0.05)]:
    res = minimize(
        obj.value_and_gradient, start, jac=True, optimizer=name, learning_rate=rate, max_iter=500
    )
    label = "L-BFGS-B" if name == "lbfgs" else f"{name}, lr={rate:g}"
    paths[f"{label}: {res.nit} steps"] = res

display = LandscapeDisplay.from_estimator(
    model, days[window], in_bed[window], paths=paths, bounds=((-1.5, 2.0), (0.3, 1.6))
)
