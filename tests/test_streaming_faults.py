"""fit_csv / score_csv on bad files (issue 18): the previous model is never lost.

One test per fault: a truncated last line, a bad chunk in the middle, an
interrupt or a divergence between passes, NaN where a score is computed,
missing columns.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from skgd import DivergenceError, GDClassifier, GDRegressor, fit_csv, score_csv

N = 60


def _frame(seed=0, n=N):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["y"] = X @ np.array([1.0, -2.0, 0.5]) + 3.0 + 0.1 * rng.randn(n)
    frame["w"] = rng.uniform(0.5, 2.0, n)
    return frame


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _text(frame):
    return frame.to_csv(index=False, float_format="%.6f")


def _fitted():
    frame = _frame(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GDRegressor(batch_size=8, random_state=0).fit(frame[["a", "b", "c"]], frame["y"])


def _state(est):
    return (
        est.coef_.copy(),
        np.copy(est.intercept_),
        est.n_iter_,
        est.t_,
        est.history_.copy(),
        est.optimizer_state_.slots.copy(),
    )


def _assert_unchanged(est, state):
    coef, intercept, n_iter, t, history, slots = state
    assert np.array_equal(est.coef_, coef)
    assert np.array_equal(est.intercept_, intercept)
    assert est.n_iter_ == n_iter and est.t_ == t
    pd.testing.assert_frame_equal(est.history_, history)
    assert np.array_equal(est.optimizer_state_.slots, slots)


# ---------------------------------------------------------------- the truncated last line
def test_truncated_last_line_is_refused_and_the_fitted_model_kept(tmp_path):
    text = _text(_frame())
    path = _write(tmp_path, text.rstrip("\n")[:-12])  # the last line cut short
    est = _fitted()
    before = _state(est)
    last = N + 1  # the header is line 1
    with pytest.raises(ValueError, match=rf"data.csv', line {last} \(the last line\).*truncated"):
        fit_csv(est, path, target="y", sample_weight="w", chunksize=16, n_passes=3)
    _assert_unchanged(est, before)
    with pytest.raises(ValueError, match=f"line {last}"):
        score_csv(est, path, target="y", sample_weight="w")


def test_a_cut_last_line_is_refused_even_when_its_missing_columns_are_not_used(tmp_path):
    # the file stops without its newline, mid-value in a column that is used
    # ("-0" of "-0.359804"); the columns it lacks are ones this fit does not
    # read. It used to be trained on without a word.
    frame = _frame()
    lines = _text(frame).rstrip("\n").splitlines()
    header = lines[0].split(",")
    values = lines[-1].split(",")
    cut = ",".join(values[: header.index("y")] + [values[header.index("y")][:2]])
    path = _write(tmp_path, "\n".join(lines[:-1] + [cut]))
    features = [c for c in header if c not in ("y", "w")][: header.index("y")]
    with pytest.raises(ValueError, match="the last line.*truncated"):
        fit_csv(GDRegressor(optimizer="adam"), path, target="y", features=features)
    # the same line complete, with its unused columns empty, is read
    whole = ",".join(values[: header.index("y") + 1] + [""] * (len(header) - header.index("y") - 1))
    path = _write(tmp_path, "\n".join(lines[:-1] + [whole]) + "\n")
    fit_csv(GDRegressor(optimizer="adam"), path, target="y", features=features)


@pytest.mark.parametrize("on_bad_lines", ["warn", "skip"])
def test_truncated_last_line_is_skipped_when_asked(tmp_path, on_bad_lines):
    path = _write(tmp_path, _text(_frame()).rstrip("\n")[:-12])
    est = GDRegressor(optimizer="adam", batch_size=8, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit_csv(est, path, target="y", chunksize=16, n_passes=2,
                          on_bad_lines=on_bad_lines)  # fmt: skip
    parser = [w for w in caught if issubclass(w.category, pd.errors.ParserWarning)]
    assert history["rows"].tolist() == [N - 1, N - 1]
    if on_bad_lines == "warn":
        # one warning, although the file was read several times
        assert len(parser) == 1 and f"line {N + 1} (the last line)" in str(parser[0].message)
    else:
        assert parser == []
    assert np.isfinite(score_csv(est, path, target="y", on_bad_lines=on_bad_lines))


def test_lines_with_too_many_fields_follow_on_bad_lines(tmp_path):
    lines = _text(_frame()).splitlines()
    lines[10] += ",9"  # line 11 of the file
    lines[30] = "1.0,abc,2.0,3.0,1.0"  # line 31: text where a number belongs
    path = _write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="Expected 5 fields in line 11, saw 6.*on_bad_lines"):
        fit_csv(GDRegressor(), path, target="y")
    # the skipped line still counts: the text is reported on its own line, 31
    with pytest.raises(ValueError, match="column 'b' is not a number on line 31 \\('abc'\\)"):
        fit_csv(GDRegressor(), path, target="y", chunksize=8, on_bad_lines="skip")
    with pytest.raises(ValueError, match="on_bad_lines must be one of"):
        fit_csv(GDRegressor(), path, target="y", on_bad_lines="ignore")


# ---------------------------------------------------------------- a bad chunk
def test_a_bad_chunk_is_named_by_file_and_lines(tmp_path):
    lines = _text(_frame()).splitlines()
    lines.insert(20, "")  # a blank line (line 21) does not shift the numbers after it
    lines[40] = lines[40].split(",", 1)[0] + ",,1.0,2.0,1.0"  # line 41: no value for b
    path = _write(tmp_path, "\n".join(lines) + "\n")
    est = _fitted()
    before = _state(est)
    with pytest.raises(ValueError) as info:
        fit_csv(est, path, target="y", sample_weight="w", chunksize=10)
    assert str(info.value) == (
        f"'{path}', chunk of lines 32-41: column 'b' has no value on line 41."
    )
    _assert_unchanged(est, before)


def test_an_unfitted_estimator_stays_unfitted_after_an_error(tmp_path):
    frame = _frame()
    frame.loc[45, "c"] = np.inf
    path = _write(tmp_path, _text(frame))
    est = GDRegressor(optimizer="adam", batch_size=8)
    with pytest.raises(ValueError, match="column 'c' is infinite on line 47"):
        fit_csv(est, path, target="y", chunksize=10)
    assert not hasattr(est, "coef_") and not hasattr(est, "n_features_in_")
    assert est.get_params() == GDRegressor(optimizer="adam", batch_size=8).get_params()


def test_values_whose_squares_overflow_are_named(tmp_path):
    frame = _frame()
    frame["a"] = frame["a"].astype(object)
    frame.loc[7, "a"] = "1e200"
    path = _write(tmp_path, _text(frame))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="column 'a' is too large for float64.*line 9"):
            fit_csv(GDRegressor(), path, target="y")


def test_labels_a_fitted_classifier_does_not_know(tmp_path):
    frame = _frame()
    frame["label"] = np.where(frame["y"] > 3, "cat", "dog")
    frame.loc[33, "label"] = "bird"
    path = _write(tmp_path, _text(frame.drop(columns=["y", "w"])))
    clf = GDClassifier(optimizer="adam", batch_size=8).fit(frame[["a", "b", "c"]].iloc[:20],
                                         frame["label"].iloc[:20])  # fmt: skip
    with pytest.raises(ValueError, match="not one the classifier knows on line 35 \\('bird'\\)"):
        fit_csv(clf, path, target="label", chunksize=100)
    # scoring counts an unknown label as a miss, as estimator.score does
    assert 0.0 <= score_csv(clf, path, target="label") < 1.0


def test_labels_mixing_numbers_and_text_across_chunks(tmp_path):
    frame = _frame().drop(columns=["w"])
    frame["y"] = (frame["y"] > 3).astype(int).astype(object)
    frame.loc[50, "y"] = "yes"
    path = _write(tmp_path, _text(frame))
    with pytest.raises(ValueError, match="holds numbers and text.*'dtype'"):
        fit_csv(GDClassifier(), path, target="y", chunksize=20)


def test_a_chunk_of_zero_weights_is_no_chunk(tmp_path):
    frame = _frame()
    frame.loc[:9, "w"] = 0.0
    path = _write(tmp_path, _text(frame))
    est = GDRegressor(optimizer="adam", batch_size=5, random_state=0)
    history = fit_csv(est, path, target="y", sample_weight="w", chunksize=10)
    assert est.n_iter_ == 5  # six chunks, the first all zero weight
    assert history["rows"].tolist() == [N - 10]


# ---------------------------------------------------------------- interrupts and divergence
class _Interrupted(GDRegressor):
    calls = 0

    def partial_fit(self, X, y, sample_weight=None):
        type(self).calls += 1
        if type(self).calls == 9:  # in the second pass
            raise KeyboardInterrupt
        return super().partial_fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("fitted", [True, False])
def test_an_interrupt_between_chunks_restores_the_model(tmp_path, fitted):
    path = _write(tmp_path, _text(_frame()))
    est = _Interrupted(optimizer="adam", batch_size=8, random_state=0)
    _Interrupted.calls = -100 if fitted else 0
    if fitted:
        frame = _frame(1)
        est.fit(frame[["a", "b", "c"]], frame["y"])
        _Interrupted.calls = 0
        before = _state(est)
    with pytest.raises(KeyboardInterrupt):
        fit_csv(est, path, target="y", sample_weight="w", chunksize=10, n_passes=3)
    if fitted:
        _assert_unchanged(est, before)
    else:
        assert not hasattr(est, "coef_")


def test_a_divergence_in_a_later_pass_restores_the_model(tmp_path):
    path = _write(tmp_path, _text(_frame()))
    est = _fitted()
    before = _state(est)
    est.set_params(optimizer="sgd", learning_rate=50.0)
    with pytest.raises(DivergenceError, match="data.csv"):
        fit_csv(est, path, target="y", sample_weight="w", chunksize=10, n_passes=3)
    _assert_unchanged(est, before)


# ---------------------------------------------------------------- score_csv and columns
def test_score_csv_never_returns_nan(tmp_path):
    est = _fitted()
    frame = _frame()
    frame.loc[12, "y"] = np.nan
    path = _write(tmp_path, _text(frame))
    with pytest.raises(ValueError, match="target column 'y' has no value on line 14"):
        score_csv(est, path, target="y", sample_weight="w")
    frame = _frame()
    frame["y"] = frame["y"].astype(object)
    frame.loc[3, "y"] = "1e300"
    path = _write(tmp_path, _text(frame), "huge.csv")
    with pytest.raises(ValueError, match="huge.csv.*'y' is too large"):
        score_csv(est, path, target="y", sample_weight="w")


def test_missing_columns_are_named_with_the_columns(tmp_path):
    path = _write(tmp_path, _text(_frame()))
    columns = "its columns are \\['a', 'b', 'c', 'y', 'w'\\]"
    with pytest.raises(ValueError, match=f"sample_weight column 'weight' is not in .*{columns}"):
        fit_csv(GDRegressor(), path, target="y", sample_weight="weight")
    with pytest.raises(ValueError, match=f"feature columns \\['d', 'e'\\] are not in .*{columns}"):
        fit_csv(GDRegressor(), path, target="y", features=["a", "d", "e"])
    with pytest.raises(ValueError, match=f"sample_weight column 'weight' .*{columns}"):
        score_csv(_fitted(), path, target="y", sample_weight="weight")
    with pytest.raises(ValueError, match="'y' is also in features"):
        fit_csv(GDRegressor(), path, target="y", features=["a", "y"])


def test_feature_columns_other_than_the_fitted_models(tmp_path):
    path = _write(tmp_path, _text(_frame()))
    with pytest.raises(
        ValueError, match="\\['a', 'b', 'c', 'w'\\], are not those .*sample_weight="
    ):
        fit_csv(_fitted(), path, target="y")


def test_a_file_without_header_gets_a_hint(tmp_path):
    path = _write(tmp_path, _text(_frame()).split("\n", 1)[1])
    with pytest.raises(ValueError, match="looks like data.*'header': None"):
        fit_csv(GDRegressor(), path, target="y")


def test_empty_and_unparsable_files_are_named(tmp_path):
    with pytest.raises(ValueError, match="empty.csv' is empty"):
        fit_csv(GDRegressor(), _write(tmp_path, "", "empty.csv"), target="y")
    path = _write(tmp_path, 'a,y\n1,2\n3,"4\n', "quote.csv")
    with pytest.raises(ValueError, match="quote.csv' cannot be read as CSV: EOF inside string"):
        score_csv(_fitted(), path, target="y")
