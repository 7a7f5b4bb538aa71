"""The 1978 boarding-school influenza outbreak."""

from __future__ import annotations

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

_DATA = "boarding_school_flu.csv"
#: The same counts with calendar dates (day 1 is 22 January 1978), as surveillance data come.
_DATED = "boarding_school_flu_dated.csv"
_DESCR = "boarding_school_flu.rst"


def load_boarding_school_flu(
    *, as_frame: bool = False, return_X_y: bool = False, dated: bool = False
):
    """Load the 1978 English boarding-school influenza outbreak.

    763 boys, all at risk; the number confined to bed on each of days 1 to
    14. The growth phase is about days 1 to 5 (the peak is on day 6).

    =================   ==============
    Samples total                   14
    Dimensionality                   1
    Features            day, 1 to 14
    Target              boys in bed, 3 to 293
    =================   ==============

    Read more in the data set's ``DESCR``.

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame (column ``day``) and
        ``target`` a Series (``in_bed``); ``frame`` holds both.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    dated : bool, default=False
        If True, the time is the calendar date (column ``date``, 1978-01-22
        to 1978-02-04, as ``datetime64``) instead of the day number, read
        from a second bundled CSV file with ISO dates (``filename``), the
        way surveillance data usually come. Day ``d`` is 21 January plus
        ``d`` days.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes

        data : ndarray of shape (14, 1) or DataFrame
            The day, 1 to 14, as float (``dated=True``: the date, as
            ``datetime64[ns]``).
        target : ndarray of shape (14,) or Series
            Boys confined to bed that day, as float.
        frame : DataFrame of shape (14, 2) or None
            ``day`` and ``in_bed``; only with ``as_frame=True``.
        feature_names : list of str
            ``['day']`` (``['date']`` with ``dated=True``).
        target_names : list of str
            ``['in_bed']``.
        DESCR : str
            Description of the data and its source.
        filename : str
            Path of the bundled CSV file (the dated one with ``dated=True``:
            ``date,in_bed`` with ISO dates, ready for ``skgd growth FILE``).
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skgd.datasets import load_boarding_school_flu
    >>> flu = load_boarding_school_flu()
    >>> flu.data.shape, int(flu.target.max())
    ((14, 1), 293)
    >>> X, y = load_boarding_school_flu(return_X_y=True)
    >>> y[:5].tolist()
    [3.0, 8.0, 28.0, 76.0, 222.0]
    >>> dated = load_boarding_school_flu(dated=True, as_frame=True)
    >>> dated.frame.head(2)
            date  in_bed
    0 1978-01-22     3.0
    1 1978-01-23     8.0
    """
    source = resources.files("skgd.datasets") / "data" / (_DATED if dated else _DATA)
    descr = (resources.files("skgd.datasets") / "descr" / _DESCR).read_text(encoding="utf-8")
    if dated:
        import pandas as pd

        raw = pd.read_csv(str(source), parse_dates=["date"], dtype={"in_bed": np.float64})
        feature_names = ["date"]
        columns = [raw["date"].to_numpy(dtype="datetime64[ns]"), raw["in_bed"].to_numpy()]
    else:
        raw = np.loadtxt(str(source), delimiter=",", skiprows=1, dtype=np.float64)
        feature_names = ["day"]
        columns = [raw[:, 0], raw[:, 1]]
    target_names = ["in_bed"]
    data, target, frame = columns[0].reshape(-1, 1), columns[1], None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(dict(zip(feature_names + target_names, columns)))
        data, target = frame[feature_names], frame[target_names[0]]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=target_names,
        DESCR=descr,
        filename=str(source),
    )
