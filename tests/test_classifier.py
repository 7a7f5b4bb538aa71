"""GDClassifier against LogisticRegression, SGDClassifier's formulas, and its own contract.

The optimum checks use ``penalty='l2'``, ``alpha=0.01`` on standardized data,
where J equals LogisticRegression's objective with ``C = 1 / (alpha * n)``
divided by ``C * n``: the two minimizers are the same point.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from skgd import GDClassifier

ALPHA = 0.01
LOADERS = {"breast_cancer": load_breast_cancer, "wine": load_wine, "iris": load_iris}


def _standardized(name):
    X, y = LOADERS[name](return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def datasets():
    return {name: _standardized(name) for name in LOADERS}


@pytest.fixture(scope="module")
def logistic(datasets):
    """LogisticRegression solved tightly at the same optimum, per data set."""
    fits = {}
    for name, (X, y) in datasets.items():
        fits[name] = LogisticRegression(C=1 / (ALPHA * X.shape[0]), tol=1e-12, max_iter=10_000).fit(
            X, y
        )
    return fits


# Two converging settings: scipy's L-BFGS-B inside fit, asked for a tight
# certificate (tol=1e-8: rtol 1e-3 on the smallest coefficients is far tighter
# than the default's 1 % of the largest), and plain full-batch Nesterov
# momentum run for a fixed number of epochs (tol=None: no stopping rule).
CONVERGING = {
    "lbfgs": {"optimizer": "lbfgs", "tol": 1e-8},
    "nesterov_full_batch": {
        "optimizer": "nesterov",
        "batch_size": "full",
        "learning_rate": 0.5,
        "tol": None,
        "max_iter": 3000,
    },
}


@pytest.mark.parametrize("setting", sorted(CONVERGING))
@pytest.mark.parametrize("name", sorted(LOADERS))
def test_matches_logistic_regression(datasets, logistic, name, setting):
    X, y = datasets[name]
    ref = logistic[name]
    gd = GDClassifier(penalty="l2", alpha=ALPHA, random_state=0, **CONVERGING[setting]).fit(X, y)

    n_classes = np.unique(y).shape[0]
    rows = 1 if n_classes == 2 else n_classes
    assert gd.coef_.shape == ref.coef_.shape == (rows, X.shape[1])
    assert gd.intercept_.shape == ref.intercept_.shape == (rows,)
    assert_allclose(gd.coef_, ref.coef_, rtol=1e-3)
    assert_allclose(gd.intercept_, ref.intercept_, rtol=1e-3)
    assert_allclose(gd.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-4)
    assert_array_equal(gd.predict(X), ref.predict(X))


def test_multiclass_log_loss_is_one_softmax_model(datasets):
    X, y = datasets["iris"]
    gd = GDClassifier(optimizer="lbfgs", penalty="l2", alpha=ALPHA).fit(X, y)
    scores = gd.decision_function(X)
    assert scores.shape == (X.shape[0], 3)
    assert_allclose(gd.predict_proba(X), softmax(scores, axis=1), atol=1e-12)
    assert_allclose(gd.predict_log_proba(X), np.log(gd.predict_proba(X)), atol=1e-10)
    # Softmax is blind to a common shift, so the intercepts are reported
    # centred; one-vs-rest logistic fits would not sum to 0.
    assert abs(gd.intercept_.sum()) < 1e-10
    # Adam's per-coordinate steps move the intercepts' mean; it is still reported as 0.
    adam = GDClassifier(learning_rate=0.1, max_iter=50, tol=None).fit(X, y)
    assert abs(adam.intercept_.sum()) < 1e-10
    ovr = np.column_stack(
        [
            GDClassifier(optimizer="lbfgs", penalty="l2", alpha=ALPHA)
            .fit(X, y == k)
            .predict_proba(X)[:, 1]
            for k in range(3)
        ]
    )
    ovr /= ovr.sum(axis=1, keepdims=True)
    assert np.abs(ovr - gd.predict_proba(X)).max() > 0.05


def test_binary_shapes_and_probabilities(datasets):
    X, y = datasets["breast_cancer"]
    gd = GDClassifier(optimizer="lbfgs", penalty="l2", alpha=ALPHA).fit(X, y)
    scores = gd.decision_function(X)
    assert scores.shape == (X.shape[0],)
    assert_allclose(gd.predict_proba(X)[:, 1], expit(scores))
    assert_allclose(gd.predict_log_proba(X), np.log(gd.predict_proba(X)), atol=1e-10)
    assert_array_equal(gd.predict(X), gd.classes_[(scores > 0).astype(int)])


# Per-optimizer learning rates: (batch_size=1, batch_size 32 or "full").
# Single-row updates are 30-500 times noisier, so they get smaller steps,
# except AdaGrad, whose accumulated squares shrink the step by themselves.
LEARNING_RATES = {
    "sgd": (0.05, 0.5),
    "momentum": (0.005, 0.05),
    "nesterov": (0.005, 0.05),
    "adagrad": (0.5, 0.5),
    "rmsprop": (0.005, 0.01),
    "adam": (0.005, 0.05),
    "adamw": (0.005, 0.05),
    "nadam": (0.005, 0.05),
    "lbfgs": (1.0, 1.0),  # ignored: L-BFGS-B does its own line search
}
EPOCHS = {1: 20, 32: 100, "full": 300}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("batch_size", [1, 32, "full"])
@pytest.mark.parametrize("optimizer", sorted(LEARNING_RATES))
def test_every_optimizer_reaches_logistic_accuracy(datasets, logistic, optimizer, batch_size):
    """Training accuracy within 2 points of LogisticRegression at the same J."""
    lr = LEARNING_RATES[optimizer][0 if batch_size == 1 else 1]
    for name, (X, y) in datasets.items():
        gd = GDClassifier(
            optimizer=optimizer,
            batch_size=batch_size,
            learning_rate=lr,
            penalty="l2",
            alpha=ALPHA,
            max_iter=EPOCHS[batch_size],
            random_state=0,
        ).fit(X, y)
        reference = logistic[name].score(X, y)
        assert gd.score(X, y) >= reference - 0.02, (name, gd.score(X, y), reference)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pipeline_grid_search_neg_log_loss():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), GDClassifier(max_iter=200, random_state=0))
    grid = {
        "gdclassifier__learning_rate": [0.01, 0.1],
        "gdclassifier__optimizer": ["sgd", "adam"],
        "gdclassifier__schedule": ["constant", "cosine"],
    }
    search = GridSearchCV(pipe, grid, scoring="neg_log_loss", cv=3, error_score="raise")
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (8,)
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)
    # A 10x larger step after 200 epochs reaches a lower log loss.
    assert search.best_params_["gdclassifier__learning_rate"] == 0.1
    assert search.best_score_ > -0.2
    assert search.best_estimator_.predict_proba(X).shape == (150, 3)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_string_labels_round_trip(datasets, n_classes):
    X, y = datasets["iris"]
    keep = y < n_classes
    X, y = X[keep], y[keep]
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    gd = GDClassifier(optimizer="lbfgs", penalty="l2", alpha=ALPHA).fit(X, names)
    ints = GDClassifier(optimizer="lbfgs", penalty="l2", alpha=ALPHA).fit(X, y)
    assert_array_equal(gd.classes_, np.unique(names))
    pred = gd.predict(X)
    assert pred.dtype == names.dtype and set(pred) <= set(names)
    label_of = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    assert_array_equal(pred, label_of[ints.predict(X)])
    assert_allclose(gd.coef_, ints.coef_)
    assert gd.score(X, names) > 0.9

    streamed = GDClassifier(optimizer="adam", learning_rate=0.05, random_state=0)
    for batch in np.array_split(np.random.RandomState(0).permutation(len(y)), 5):
        streamed.partial_fit(X[batch], names[batch], classes=np.unique(names))
    assert_array_equal(streamed.classes_, np.unique(names))
    assert set(streamed.predict(X)) <= set(names)


def test_class_weight_equals_sample_weight(datasets):
    X, y = datasets["wine"]
    kw = dict(optimizer="lbfgs", penalty="l2", alpha=ALPHA)
    balanced = GDClassifier(class_weight="balanced", **kw).fit(X, y)
    per_class = compute_class_weight("balanced", classes=np.unique(y), y=y)
    by_rows = GDClassifier(**kw).fit(X, y, sample_weight=per_class[y])
    assert_allclose(balanced.coef_, by_rows.coef_, rtol=1e-6)
    assert not np.allclose(balanced.coef_, GDClassifier(**kw).fit(X, y).coef_, rtol=1e-3)

    # A dict and sample_weight multiply; labels not in the dict weigh 1.
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=y.shape[0])
    dict_fit = GDClassifier(class_weight={0: 3.0}, **kw).fit(X, y, sample_weight=sw)
    both = GDClassifier(**kw).fit(X, y, sample_weight=sw * np.where(y == 0, 3.0, 1.0))
    assert_allclose(dict_fit.coef_, both.coef_, rtol=1e-6)


def test_class_weight_moves_predictions_to_the_heavy_class(datasets):
    X, y = datasets["breast_cancer"]
    labels = np.where(y == 1, "benign", "malignant")
    kw = dict(optimizer="lbfgs", penalty="l2", alpha=0.1)
    plain = GDClassifier(**kw).fit(X, labels)
    heavy = GDClassifier(class_weight={"malignant": 20.0}, **kw).fit(X, labels)
    recall = [np.mean(m.predict(X)[labels == "malignant"] == "malignant") for m in (plain, heavy)]
    assert recall[1] > recall[0]
    assert np.sum(heavy.predict(X) == "malignant") > np.sum(plain.predict(X) == "malignant")


@pytest.mark.parametrize(
    "class_weight, match",
    [
        ("auto", "class_weight must be None, 'balanced' or a dict"),
        ([1.0, 2.0], "class_weight must be None, 'balanced' or a dict"),
        ({0: -1.0}, "finite numbers >= 0"),
        ({0: float("nan")}, "finite numbers >= 0"),
        ({0: "heavy"}, "finite numbers >= 0"),
        ({7: 2.0}, r"labels that are not classes: \[7\]"),
    ],
)
def test_bad_class_weight(class_weight, match):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=match):
        GDClassifier(class_weight=class_weight).fit(X, y)


def test_one_class_is_an_error():
    X = np.random.RandomState(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="only one class"):
        GDClassifier().fit(X, np.full(10, "a"))
    with pytest.raises(ValueError, match="classes has only one class"):
        GDClassifier().partial_fit(X, np.full(10, "a"), classes=["a"])
    # One class left after weighting is the same problem.
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="Only one class has positive weight"):
        GDClassifier().fit(X, y, sample_weight=y)
    with pytest.raises(ValueError, match="Only one class has positive weight"):
        GDClassifier(class_weight={0: 0.0}).fit(X, y)


def test_partial_fit_labels():
    X = np.random.RandomState(0).normal(size=(12, 3))
    y = np.array(["a", "b", "c"] * 4)
    clf = GDClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"labels not in classes_ .*\['c'\]"):
        clf.partial_fit(X, y, classes=["a", "b"])
    assert not hasattr(clf, "classes_")

    # A batch of a single class is fine once the classes are known.
    clf.partial_fit(X[y == "a"], y[y == "a"], classes=["c", "b", "a"])
    assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert clf.coef_.shape == (3, 3)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match=r"labels not in classes_ .*\['d'\]"):
        clf.partial_fit(X, np.array(["a", "d"] * 6))
    with pytest.raises(ValueError, match="not the same as on the first call"):
        clf.partial_fit(X, y, classes=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        GDClassifier(class_weight="balanced").partial_fit(X, y, classes=["a", "b", "c"])


def test_warm_start_needs_the_same_classes():
    X = np.random.RandomState(0).normal(size=(12, 3))
    y = np.array([0, 1, 2] * 4)
    clf = GDClassifier(warm_start=True, max_iter=3, tol=None).fit(X, y)
    clf.fit(X, y)
    assert clf.n_iter_ == 6
    with pytest.raises(ValueError, match="warm_start=True but y has classes"):
        clf.fit(X, y + 1)


def test_partial_fit_continues_training(datasets):
    X, y = datasets["breast_cancer"]
    clf = GDClassifier(optimizer="adam", learning_rate=0.01, batch_size=32, random_state=0)
    losses = []
    for _ in range(15):
        clf.partial_fit(X, y, classes=[0, 1])
        losses.append(clf.loss_curve_[-1])
    assert clf.n_iter_ == 15 and len(clf.loss_curve_) == 15
    assert losses[-1] < losses[0]
    assert clf.score(X, y) > 0.95


def test_initial_intercept():
    """Log-odds / centred log frequencies for log_loss, 0 for the margin losses."""
    X = np.zeros((10, 2))
    y = np.array([0] * 2 + [1] * 3 + [2] * 5)
    tiny = dict(optimizer="adam", learning_rate=1e-12, shuffle=False)
    multi = GDClassifier(**tiny).partial_fit(X, y, classes=[0, 1, 2])
    log_freq = np.log([0.2, 0.3, 0.5])
    assert_allclose(multi.intercept_, log_freq - log_freq.mean(), rtol=1e-9)
    binary = GDClassifier(**tiny).partial_fit(X, y == 2, classes=[False, True])
    assert_allclose(binary.intercept_, [0.0], atol=1e-9)
    binary = GDClassifier(**tiny).partial_fit(X, y > 0, classes=[False, True])
    assert_allclose(binary.intercept_, [np.log(0.8 / 0.2)], rtol=1e-9)
    hinge = GDClassifier(loss="hinge", **tiny).partial_fit(X, y, classes=[0, 1, 2])
    assert_allclose(hinge.intercept_, 0.0, atol=1e-9)


def test_margin_losses_are_one_vs_rest(datasets):
    """Each row of a multiclass squared-hinge fit is the binary fit of that class."""
    X, y = datasets["wine"]
    kw = dict(loss="squared_hinge", optimizer="lbfgs", penalty="l2", alpha=ALPHA, tol=1e-8)
    joint = GDClassifier(**kw).fit(X, y)
    assert joint.coef_.shape == (3, X.shape[1])
    for k in range(3):
        alone = GDClassifier(**kw).fit(X, y == k)
        assert_allclose(joint.coef_[k], alone.coef_[0], rtol=1e-3, atol=1e-5)
        assert_allclose(joint.intercept_[k], alone.intercept_[0], rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_no_probabilities_for_margin_losses(loss):
    X, y = load_iris(return_X_y=True)
    clf = GDClassifier(loss=loss, max_iter=5, tol=None).fit(X, y)
    assert not hasattr(clf, "predict_proba")
    assert not hasattr(clf, "predict_log_proba")
    with pytest.raises(AttributeError, match="has no attribute 'predict_proba'") as info:
        clf.predict_proba(X)
    # scikit-learn's available_if keeps our explanation as the cause.
    assert f"not available for loss='{loss}'" in str(info.value.__cause__)
    assert hasattr(clf.set_params(loss="log_loss"), "predict_proba")


@pytest.mark.parametrize("name", ["breast_cancer", "iris"])
def test_modified_huber_probabilities_match_sgdclassifier(datasets, name):
    X, y = datasets[name]
    gd = GDClassifier(
        optimizer="adam", loss="modified_huber", learning_rate=0.01, random_state=0
    ).fit(X, y)
    sk = SGDClassifier(loss="modified_huber", max_iter=5, tol=None, random_state=0)
    sk.fit(X, y)
    # Give scikit-learn our coefficients and let its formula produce the probabilities.
    sk.coef_, sk.intercept_ = gd.coef_.astype(np.float64), gd.intercept_.astype(np.float64)
    # Scale the scores up too, so that clipping at +-1 and all-zero rows occur.
    for scale in (1.0, 5.0):
        sk.coef_, sk.intercept_ = scale * sk.coef_, scale * sk.intercept_
        gd.coef_, gd.intercept_ = sk.coef_.copy(), sk.intercept_.copy()
        assert_allclose(gd.predict_proba(X), sk.predict_proba(X), atol=1e-12)
    assert gd.score(X, y) > 0.9


def test_early_stopping_scores_are_accuracies(datasets):
    X, y = datasets["iris"]
    clf = GDClassifier(
        optimizer="adam",
        early_stopping=True,
        learning_rate=0.1,
        n_iter_no_change=30,
        random_state=0,
    ).fit(X, y)
    n_val = int(np.ceil(0.1 * X.shape[0]))
    scores = np.array(clf.validation_scores_) * n_val
    assert len(scores) == clf.n_iter_
    assert_allclose(scores, np.round(scores), atol=1e-9)
    assert clf.validation_scores_[-1] >= 0.8


def test_sparse_float32_and_no_intercept(datasets):
    X, y = datasets["wine"]
    kw = dict(optimizer="lbfgs", penalty="l2", alpha=ALPHA)
    dense = GDClassifier(**kw).fit(X, y)
    csr = GDClassifier(**kw).fit(sparse.csr_matrix(X), y)
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-6)
    single = GDClassifier(**kw).fit(X.astype(np.float32), y)
    assert single.coef_.dtype == np.float32 and single.intercept_.dtype == np.float32
    assert_allclose(single.coef_, dense.coef_, rtol=1e-3, atol=1e-4)
    no_b = GDClassifier(fit_intercept=False, **kw).fit(X, y)
    assert_array_equal(no_b.intercept_, np.zeros(3))


def test_same_random_state_same_model(datasets):
    X, y = datasets["iris"]
    fits = [
        GDClassifier(optimizer="adam", batch_size=8, max_iter=20, tol=None, random_state=3).fit(
            X, y
        )
        for _ in range(2)
    ]
    assert_array_equal(fits[0].coef_, fits[1].coef_)
