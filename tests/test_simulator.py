"""skgd.simulator without a browser: the page's file, its settings, the command and the colours.

The page's behaviour (its iterates and step counts against skgd.minimize, its
controls, a screenshot) is tested in a real browser: test_simulator_browser.py.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from skgd import landscapes, minimize, optimizers
from skgd.cli import main
from skgd.simulator import (
    CONDITIONS,
    DEFAULTS,
    OPTIMIZER_COLORS,
    build_page,
    make_optimizer,
    make_surface,
    write_page,
)


def _data(html: str) -> dict:
    text = re.search(r'<script type="application/json" id="skgd-data">(.*?)</script>', html, re.S)
    return json.loads(text.group(1))


def test_page_is_self_contained():
    html = build_page()
    # no file, style sheet, script or font from elsewhere: everything is inline
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", html)
    assert not re.search(r"<link\b", html)
    assert not re.search(r"@import|url\(", html)
    assert "http://" not in html and "https://" not in html
    for placeholder in ["/*STYLE*/", "/*RULES*/", "/*PAGE*/", "/*DATA*/"]:
        assert placeholder not in html


def test_page_data_contours_come_from_the_landscapes():
    data = _data(build_page(grid_resolution=16))
    assert list(data["surfaces"]) == list(landscapes.LANDSCAPES)
    assert data["conditions"] == list(CONDITIONS)
    bowl = data["surfaces"]["quadratic"]
    assert len(bowl["grids"]) == len(CONDITIONS)
    for name, surface in data["surfaces"].items():
        reference = make_surface(name, condition=CONDITIONS[0])
        assert surface["start"] == reference.start.tolist()
        assert surface["minValue"] == reference.min_value
        levels = np.frombuffer(base64.b64decode(surface["grids"][0]), dtype="<u2").reshape(16, 16)
        # the lowest level is at the grid point nearest to a minimum, row 0 is the lowest y
        (x_lo, x_hi), (y_lo, y_hi) = reference.bounds
        xs, ys = np.linspace(x_lo, x_hi, 16), np.linspace(y_lo, y_hi, 16)
        row, col = np.unravel_index(np.argmin(levels), levels.shape)
        assert reference.value([xs[col], ys[row]]) == pytest.approx(
            reference.value(np.stack(np.meshgrid(xs, ys), axis=-1)).min()
        )
        assert levels.max() == 65535


def test_page_opening_settings():
    data = _data(build_page(surface="Saddle", condition=8))
    assert data["defaults"]["surface"] == "saddle"
    assert data["defaults"]["learning_rate"] == 0.1
    assert 8.0 in data["conditions"] and data["defaults"]["condition"] == 8.0
    assert [o["color"] for o in data["optimizers"]] == list(OPTIMIZER_COLORS.values())
    data = _data(build_page(surface="rosenbrock"))
    assert data["defaults"]["learning_rate"] == landscapes.rosenbrock().learning_rate


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(surface="rosenbrok"), "did you mean 'rosenbrock'"),
        (dict(surface=3), "unknown surface"),
        (dict(condition=0.5), "condition"),
        (dict(grid_resolution=4), "grid_resolution"),
    ],
)
def test_page_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_page(**kwargs)


def test_write_page_refuses_a_directory(tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        write_page(tmp_path)
    page = write_page(tmp_path / "page.html")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_make_optimizer_table():
    assert repr(make_optimizer("sgd")) == "SGD()"
    assert repr(make_optimizer("momentum", momentum=0.5)) == "SGD(momentum=0.5)"
    assert repr(make_optimizer("nesterov", momentum=0.0)) == "SGD()"  # no nesterov=True
    assert repr(make_optimizer("rmsprop", rho=0.8)) == "RMSProp(rho=0.8)"
    assert repr(make_optimizer("nadam", beta1=0.5)) == "NAdam(beta1=0.5)"
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        make_optimizer("adma")
    if not hasattr(optimizers, "Lion"):
        with pytest.raises(ValueError, match="no Lion yet"):
            make_optimizer("lion")


def test_headline_setting_measured():
    """What the page opens on, and why the user guide says ~50 and ~250 (measured)."""
    bowl = make_surface("quadratic", condition=DEFAULTS["condition"])
    momentum = make_optimizer("momentum")
    fast = minimize(bowl, optimizer=momentum, learning_rate=0.1, tol=DEFAULTS["tol"])
    slow = minimize(bowl, optimizer=momentum, learning_rate=0.1)
    assert fast.success and 40 <= fast.nit <= 60
    assert slow.success and slow.nit > 200
    # sqrt(0.9) per step whatever the bowl: condition 10 at minimize's default tol needs ~250
    ten = minimize(make_surface("quadratic", condition=10), optimizer=momentum, learning_rate=0.1)
    assert 230 <= ten.nit <= 270


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "paths.html"
    assert main(["simulator", "--out", str(out), "--surface", "beale"]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out}"
    assert _data(out.read_text(encoding="utf-8"))["defaults"]["surface"] == "beale"


def test_cli_open_calls_the_browser(tmp_path, monkeypatch, capsys):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    out = tmp_path / "paths.html"
    assert main(["simulator", "--out", str(out), "--open"]) == 0
    assert opened == [out.resolve().as_uri()]
