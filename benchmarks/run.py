"""skgd's benchmark suite (issue 9): skgd against its peers, in one run, on the same data.

    python benchmarks/run.py            # the full suite (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, a smoke test

Every figure is a median of ``--repeats`` runs and every ratio is against a peer
measured in the same run, so a busy machine slows both sides alike. The table is
printed and written to ``benchmarks/results/results.{csv,md}``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402
import workloads  # noqa: E402

from skgd import ExponentialGrowthRegressor, GDClassifier, GDRegressor  # noqa: E402
from skgd.optimizers import LBFGS  # noqa: E402

COLUMNS = ["section", "workload", "method", "setting", "seconds", "vs", "ratio", "target", "met"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam"]
BATCHES = [1, 32, 256, "full"]
#: learning rates that stay stable on the unscaled dense workload (||x||^2 ~ 1000)
LR = {
    "sgd": 1e-5,
    "momentum": 1e-6,
    "nesterov": 1e-6,
    "adagrad": 1e-2,
    "rmsprop": 1e-3,
    "adam": 1e-3,
    "adamw": 1e-3,
    "nadam": 1e-3,
}


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return float(np.median(times))


class Table:
    def __init__(self):
        self.rows = []

    def add(self, section, workload, method, setting, seconds, vs=None, ref=None, target=None):
        ratio = seconds / ref if ref else np.nan
        met = (
            "" if target is None or not np.isfinite(ratio) else ("yes" if ratio <= target else "no")
        )
        self.rows.append(
            dict(
                section=section,
                workload=workload,
                method=method,
                setting=str(setting),
                seconds=seconds,
                vs=vs or "",
                ratio=ratio,
                target="" if target is None else f"<= {target:g}",
                met=met,
            )
        )

    def frame(self):
        return pd.DataFrame(self.rows, columns=COLUMNS)


def gd(est, **kw):
    base = dict(tol=None, random_state=0, penalty="l2", alpha=peers.ALPHA)
    base.update(kw)
    return est(**base)


def quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def section_epochs(table, X, y, name, k, repeats, with_peers):
    """Seconds per epoch: fit(max_iter=k) / k for every optimizer x batch size."""

    def per_epoch(fn):
        return median_time(fn, repeats) / k

    sk = per_epoch(lambda: peers.sklearn_sgd(X, y, k, 1e-5))
    table.add("epoch", name, "sklearn SGDRegressor", 1, sk)
    blas = median_time(peers.blas_gradient(X, y), max(repeats, 5))
    table.add("epoch", name, "BLAS X.T @ (X @ w - y)", "full", blas)
    torch_bs32 = None
    if with_peers:
        for bs in (32, 256):
            t = per_epoch(lambda bs=bs: peers.mlp_adam(X, y, k, bs, 1e-3))
            table.add("epoch", name, "MLPRegressor adam", bs, t, "sklearn SGD", sk)
        if peers.torch_available():
            for bs in (32, 256):
                t = per_epoch(lambda bs=bs: peers.torch_adam(X, y, k, bs, 1e-3))
                table.add("epoch", name, "torch Adam", bs, t, "sklearn SGD", sk)
                torch_bs32 = t if bs == 32 else torch_bs32
    for opt in OPTIMIZERS:
        for bs in BATCHES:
            model = gd(GDRegressor, optimizer=opt, batch_size=bs, max_iter=k, learning_rate=LR[opt])
            t = per_epoch(lambda model=model: quiet_fit(model, X, y))
            if bs == "full":
                table.add("epoch", name, f"skgd {opt}", bs, t, "BLAS gradient", blas, 1.5)
                continue
            target = {("sgd", 1): 0.5, ("adam", 32): 0.5, ("adam", 1): 2.0}.get((opt, bs))
            table.add("epoch", name, f"skgd {opt}", bs, t, "sklearn SGD", sk, target)
            if opt == "adam" and bs == 32 and torch_bs32:
                table.add("epoch", name, f"skgd {opt}", bs, t, "torch Adam", torch_bs32, 0.1)


def section_measure(table, X, y, name, k, repeats):
    """What the optimality measure costs a batch-32 epoch (target: at most 10 % more).

    Every epoch ends with one pass over the rows for J; the measure needs the
    full gradient too, in the same pass. The epoch without the measure is the
    fit's epoch minus the difference between the two kinds of pass, timed
    on the same parameters.
    """
    from skgd import objective

    model = gd(GDRegressor, optimizer="adam", batch_size=32, max_iter=k, learning_rate=1e-3)
    epoch = median_time(lambda: quiet_fit(model, X, y), repeats) / k
    problem = objective(model, X, y)._problem
    params = np.zeros(X.shape[1] + 1)
    grad = np.empty_like(params)
    value_only = median_time(lambda: problem.value(params), max(repeats, 5))
    with_gradient = median_time(lambda: problem.value_and_gradient(params, grad), max(repeats, 5))
    table.add("measure", name, "J pass (value only)", "full", value_only)
    table.add("measure", name, "J pass (value and gradient)", "full", with_gradient)
    without = epoch - (with_gradient - value_only)
    table.add("measure", name, "skgd adam, epoch without the measure", 32, without)
    table.add(
        "measure", name, "skgd adam, epoch with the measure", 32, epoch, "without", without, 1.1
    )


def section_gap(table, X, y, name, budget, repeats):
    """Time to reach J - J* <= 1e-4 |J*|: max_iter 1, 2, 4, ... until reached or over budget."""
    coef, b = peers.normal_equations(X, y)
    best = peers.objective(X, y, coef, b)
    t_ne = median_time(lambda: peers.normal_equations(X, y), repeats)
    table.add("gap 1e-4", name, "normal equations", "closed form", t_ne)
    t_ls = median_time(lambda: peers.lstsq(X, y), 1)
    table.add("gap 1e-4", name, "numpy lstsq (OLS)", "closed form", t_ls)

    def skgd_fit(**kw):
        def fit(k):
            m = quiet_fit(gd(GDRegressor, max_iter=k, **kw), X, y)
            return m.coef_, float(np.ravel(m.intercept_)[0])

        return fit

    methods = {
        ("skgd", "lbfgs", "full"): skgd_fit(optimizer="lbfgs"),
        ("skgd", "lbfgs precondition=False", "full"): skgd_fit(
            optimizer=LBFGS(precondition=False)
        ),
        ("skgd", "adam lr=0.05 cosine", 256): skgd_fit(
            optimizer="adam", batch_size=256, learning_rate=0.05, schedule="cosine"
        ),
        ("skgd", "adam lr=0.1", "full"): skgd_fit(optimizer="adam", learning_rate=0.1),
        ("peer", "scipy L-BFGS-B", "full"): lambda k: peers.scipy_lbfgs(X, y, k),
        ("peer", "sklearn SGDRegressor adaptive", 1): lambda k: peers.sklearn_sgd(
            X, y, k, 1e-4, "adaptive"
        ),
        ("peer", "MLPRegressor adam", 256): lambda k: peers.mlp_adam(X, y, k, 256, 0.01),
    }
    if peers.torch_available():
        methods[("peer", "torch Adam", 256)] = lambda k: peers.torch_adam(X, y, k, 256, 0.01)
    found, at_least = {}, {}
    for (who, label, bs), fit in methods.items():
        k, reached = 1, None
        while True:
            tic = time.perf_counter()
            c, b0 = fit(k)
            seconds = time.perf_counter() - tic
            gap = (peers.objective(X, y, np.asarray(c, float), float(b0)) - best) / abs(best)
            if gap <= 1e-4:
                reached = median_time(lambda fit=fit, k=k: fit(k), max(repeats - 1, 1))
                reached = float(np.median([seconds, reached]))
                break
            if seconds > budget or k >= 4096:
                break
            k *= 2
        setting = f"{bs}, max_iter={k}" + ("" if reached else f", gap {gap:.1e}: not reached")
        found[(who, label)] = reached if reached else np.inf
        # unreached: reaching the gap takes more iterations than the last fit,
        # so at least as long as it took
        at_least[(who, label)] = reached if reached else seconds
        table.add(
            "gap 1e-4",
            name,
            f"{who} {label}" if who == "skgd" else label,
            setting,
            reached if reached else np.nan,
        )
    best_skgd = min(v for (w, _), v in found.items() if w == "skgd")
    best_peer = min(v for (w, _), v in found.items() if w == "peer")
    if np.isfinite(best_peer):
        table.add("gap 1e-4", name, "best skgd", "", best_skgd, "best peer", best_peer, 0.25)
    else:
        # no peer reached the gap: the ratio is at most best skgd / (the
        # shortest time a peer spent without reaching it)
        bound = min(v for (w, _), v in at_least.items() if w == "peer")
        vs = f"best peer: none reached it, so > {bound:.3g} s; ratio is an upper bound"
        table.add("gap 1e-4", name, "best skgd", "", best_skgd, vs, bound, 0.25)
    table.add("gap 1e-4", name, "best skgd", "", best_skgd, "normal equations", t_ne, 3.0)


def section_sparse(table, X, y, k, repeats):
    name = f"sparse CSR {X.shape[0]}x{X.shape[1]}, {X.nnz / X.shape[0]:.0f} nnz/row"
    sk = median_time(lambda: peers.sklearn_sgd_classifier(X, y, k, 0.1), repeats) / k
    table.add("epoch", name, "sklearn SGDClassifier", 1, sk)
    for opt, bs, target in [
        ("sgd", 1, 1.0),
        ("sgd", 32, None),
        ("adam", 1, None),
        ("adam", 32, None),
        ("adagrad", 32, None),
        ("adam", "full", None),
    ]:
        model = gd(
            GDClassifier,
            loss="log_loss",
            optimizer=opt,
            batch_size=bs,
            max_iter=k,
            learning_rate=0.1 if opt == "sgd" else 0.01,
        )
        t = median_time(lambda model=model: quiet_fit(model, X, y), repeats) / k
        table.add("epoch", name, f"skgd {opt}", bs, t, "sklearn SGDClassifier", sk, target)


def section_growth(table, repeats):
    X, y = workloads.growth_counts()
    from scipy.optimize import minimize
    from sklearn.linear_model import PoissonRegressor

    name = "growth, 60 days"
    t = median_time(lambda: quiet_fit(ExponentialGrowthRegressor(), X, y), repeats)
    table.add("fit", name, "skgd ExponentialGrowthRegressor", "defaults", t)
    lb = median_time(
        lambda: quiet_fit(ExponentialGrowthRegressor(optimizer="lbfgs"), X, y), repeats
    )
    table.add("fit", name, "skgd ExponentialGrowthRegressor", "optimizer=lbfgs", lb)
    pr = median_time(lambda: PoissonRegressor(alpha=0).fit(X, y), repeats)
    table.add("fit", name, "sklearn PoissonRegressor", "lbfgs", pr)
    t_ = X[:, 0]

    def nll(theta):
        mu = np.exp(theta[0] + theta[1] * t_)
        r = mu - y
        return float(np.mean(mu - y * np.log(mu))), np.array([r.mean(), (r * t_).mean()])

    sp = median_time(
        lambda: minimize(nll, np.array([np.log(y.mean()), 0.0]), jac=True, method="L-BFGS-B"),
        repeats,
    )
    table.add("fit", name, "scipy L-BFGS-B (Poisson NLL)", "", sp)
    table.add("fit", name, "skgd lbfgs / sklearn PoissonRegressor", "", lb, "PoissonRegressor", pr)


STARTUP = r"""
import sys, time
tic = time.perf_counter()
import skgd
t_import = time.perf_counter() - tic
import numpy as np
from sklearn.datasets import make_regression
X, y = make_regression(n_samples=2000, n_features=20, random_state=0)
X32 = X.astype(np.float32)
times = []
for _ in range(2):
    tic = time.perf_counter()
    skgd.GDRegressor(optimizer="adam", batch_size=32, max_iter=2, tol=None).fit(X, y)
    skgd.GDRegressor(optimizer="sgd", max_iter=2, tol=None).fit(X32, y)
    times.append(time.perf_counter() - tic)
print(t_import, times[0], times[1])
"""

MEMORY = r"""
import gc, sys, tracemalloc, warnings
import numpy as np
sys.path.insert(0, sys.argv[1])
import workloads
from skgd import GDRegressor, GDClassifier
n, kind, bs = int(sys.argv[2]), sys.argv[3], sys.argv[4]
bs = bs if bs == "full" else int(bs)
if kind == "dense":
    X, y = workloads.dense_regression(n, 100)
    est = lambda: GDRegressor(optimizer="adam", batch_size=bs, max_iter=2, tol=None,
                              learning_rate=1e-3)
    nbytes = X.nbytes
else:
    X, y = workloads.sparse_text(n, n)
    est = lambda: GDClassifier(optimizer="adam", batch_size=bs, max_iter=2, tol=None)
    nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
warnings.simplefilter("ignore")

def status(key):
    # resident set (VmRSS) and its high-water mark (VmHWM), Linux only
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))

est().fit(X[:500], y[:500])  # compile outside the measurement
gc.collect()
# tracemalloc sees numpy's allocations but not what the compiled kernels
# allocate in C; the resident set sees both, so it is measured too where it can be:
# its high-water mark is reset just before the fit (/proc/self/clear_refs).
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    rss_start = status("VmRSS")
except OSError:
    rss_start = None
tracemalloc.start()
est().fit(X, y)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
rss = float("nan") if rss_start is None else (status("VmHWM") - rss_start) / nbytes
print(peak / nbytes, rss)
"""


FIRST_FIT = r"""
import warnings
warnings.simplefilter("ignore")
from sklearn.datasets import load_diabetes
X, y = load_diabetes(return_X_y=True)
{}
"""
SKGD_FIRST = FIRST_FIT.format("import skgd\nskgd.GDRegressor().fit(X, y)")
SKLEARN_FIRST = FIRST_FIT.format(
    "from sklearn.linear_model import SGDRegressor\nSGDRegressor().fit(X, y)"
)


def whole_process(code: str) -> float:
    tic = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - tic


def section_startup(table, repeats):
    """A new process: import, and import plus the first fit against scikit-learn's."""
    runs = max(repeats, 5)
    whole_process(SKLEARN_FIRST)  # the files in the page cache, for both
    ours, theirs = [], []
    for _ in range(runs):  # alternated, so a busy moment slows both
        ours.append(whole_process(SKGD_FIRST))
        theirs.append(whole_process(SKLEARN_FIRST))
    sk = float(np.median(theirs))
    table.add("startup", "new process", "python + sklearn SGDRegressor().fit(diabetes)", "", sk)
    table.add(
        "startup",
        "new process",
        "python + import skgd + GDRegressor().fit(diabetes)",
        "",
        float(np.median(ours)),
        "SGDRegressor process",
        sk,
        1.5,
    )
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP], check=True, capture_output=True, text=True
        ).stdout.split()
        results.append(tuple(map(float, out)))
    imp = np.median([r[0] for r in results])
    extra = np.median([r[1] - r[2] for r in results])
    table.add("startup", "new process", "import skgd", "", imp, "target (s)", 1.0, 0.3)
    table.add(
        "startup", "new process", "first fits, extra over second", "", extra, "target (s)", 1.0, 0.5
    )


def section_memory(table, n_dense, n_sparse):
    """Peak extra memory of one fit / X.nbytes, each in a fresh process."""
    here = str(Path(__file__).resolve().parent)
    for kind, n in (("dense", n_dense), ("sparse", n_sparse)):
        for bs in (32, "full"):
            out = subprocess.run(
                [sys.executable, "-c", MEMORY, here, str(n), kind, str(bs)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            traced, rss = map(float, out)
            workload = f"{kind} n={n}"
            method = "skgd adam fit, peak {} / X.nbytes"
            for what, ratio in (("traced", traced), ("RSS rise", rss)):
                if np.isfinite(ratio):
                    name = method.format(what)
                    table.add("memory", workload, name, bs, ratio, "X.nbytes", 1, 0.3)


def markdown(frame):
    """A GitHub Markdown table (no dependency on ``tabulate``)."""
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--n", type=int, help="rows of the dense workload")
    parser.add_argument("--repeats", type=int, help="runs per figure (median)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated sections to skip: epoch,measure,gap,sparse,growth,startup,memory",
    )
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = parser.parse_args(argv)
    n = args.n or (3000 if args.quick else 200_000)
    n_sparse = 2000 if args.quick else 100_000
    repeats = args.repeats or (1 if args.quick else 3)
    k = 1 if args.quick else 2
    skip = set(filter(None, args.skip.split(",")))
    table = Table()
    X, y = workloads.dense_regression(n, 100)
    dense = f"dense {n}x100 f64"
    if "epoch" not in skip:
        # compile every kernel first: compilation is measured in "startup", not here
        section_epochs(table, X[:300], y[:300], "warm-up", 1, 1, False)
        section_epochs(table, X[:300].astype(np.float32), y[:300], "warm-up", 1, 1, False)
        table.rows.clear()
        section_epochs(table, X, y, dense, k, repeats, True)
        section_epochs(table, X.astype(np.float32), y, f"dense {n}x100 f32", k, repeats, False)
    if "measure" not in skip:
        section_measure(table, X, y, dense, k, repeats)
    if "gap" not in skip:
        section_gap(table, X, y, dense, 2.0 if args.quick else 15.0, repeats)
    if "sparse" not in skip:
        Xs, ys = workloads.sparse_text(n_sparse, n_sparse)
        section_sparse(table, Xs, ys, k, repeats)
    if "growth" not in skip:
        section_growth(table, max(repeats, 5))
    if "startup" not in skip:
        section_startup(table, repeats)
    if "memory" not in skip:
        section_memory(table, n, n_sparse)
    frame = table.frame()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "results.csv", index=False)
    shown = frame.assign(
        seconds=frame.seconds.map("{:.4g}".format),
        ratio=frame.ratio.map(lambda r: "" if np.isnan(r) else f"{r:.3g}"),
    )
    text = markdown(shown)
    (out / "results.md").write_text(text)
    print(text, end="")
    return frame


if __name__ == "__main__":
    main()
