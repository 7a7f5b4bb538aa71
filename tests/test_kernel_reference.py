"""The compiled kernels reproduce the recorded fits (see ``tests/kernel_cases.py``) to 1e-12."""

import numpy as np
import pytest
from kernel_cases import REFERENCE, cases, run

REFERENCE_FITS = dict(np.load(REFERENCE))
CASES = list(cases())


def test_every_case_has_a_reference():
    assert {key for key, *_ in CASES} == set(REFERENCE_FITS)


@pytest.mark.parametrize("chunk", range(8))
def test_fits_match_the_recorded_ones(chunk):
    mismatched = []
    for key, est, X, y, w, chain in CASES[chunk::8]:
        got, want = run(est, X, y, w, chain), REFERENCE_FITS[key]
        same = got.shape == want.shape
        if not (same and np.allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True)):
            mismatched.append((key, np.max(np.abs(got - want)) if same else None))
    assert not mismatched, mismatched[:10]
