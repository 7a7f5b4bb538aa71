"""The simulator page in a real browser (headless Chromium): it takes skgd.minimize's steps.

Marked ``browser``: skipped where selenium, Chromium or chromedriver is missing
(.ci/run installs them). ``SKGD_SIMULATOR_SCREENSHOT=path.png`` keeps the
screenshot; ``SKGD_DOCS_SITE=docs/_build/html`` also checks the page in the
built documentation (.ci/run does, after the docs build).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from skgd import minimize, optimizers
from skgd.simulator import DEFAULTS, OPTIMIZER_COLORS, make_optimizer, make_surface, write_page

pytestmark = pytest.mark.browser

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM = next(
    filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None
)
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip("Chromium or chromedriver is not installed", allow_module_level=True)

#: The page's optimizers; Lion is checked once skgd.optimizers has it.
NAMES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            name == "lion" and not hasattr(optimizers, "Lion"),
            reason="skgd.optimizers has no Lion yet",
        ),
    )
    for name in OPTIMIZER_COLORS
]

#: (surface, condition, start or None, learning rate, slider settings): every surface at
#: the page's rate, a bowl where plain GD diverges, and sliders away from their defaults.
CASES = [
    ("quadratic", 5.0, None, 0.1, {}),
    ("quadratic", 100.0, [1.5, -0.5], 0.1, {}),
    ("quadratic", 30.0, [-1.0, 1.7], 0.03, dict(momentum=0.7, beta1=0.8, beta2=0.99, rho=0.95)),
    ("rosenbrock", 5.0, None, 1e-3, {}),
    ("himmelblau", 5.0, [-1.0, -1.0], 0.01, {}),
    ("beale", 5.0, None, 1e-3, dict(beta1=0.5, lion_beta2=0.95)),
    ("saddle", 5.0, None, 0.1, {}),
]

JS_HYPER = {"lion_beta2": "lionBeta2"}


def _hyper(overrides: dict) -> dict:
    keys = ["momentum", "beta1", "beta2", "rho", "lion_beta2"]
    return {key: overrides.get(key, DEFAULTS[key]) for key in keys}


def _page_run(driver, name, surface, condition, start, lr, hyper, tol, max_iter):
    opts = {
        "surface": surface,
        "condition": condition,
        "start": start,
        "optimizer": name,
        "lr": lr,
        "hyper": {JS_HYPER.get(k, k): v for k, v in hyper.items()},
        "tol": tol,
        "maxIter": max_iter,
    }
    return driver.execute_script("return window.skgdSimulator.SKGD.run(arguments[0]);", opts)


def _python_run(name, surface, condition, start, lr, hyper, tol, max_iter):
    function = make_surface(surface, condition=condition)
    return minimize(
        function,
        function.start if start is None else np.array(start),
        optimizer=make_optimizer(name, **hyper),
        learning_rate=lr,
        tol=tol,
        max_iter=max_iter,
    )


@pytest.fixture(scope="module")
def driver():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        "--force-device-scale-factor=1",
    ]:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        try:
            yield browser
        finally:
            browser.quit()


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    return write_page(tmp_path_factory.mktemp("simulator") / "simulator.html").resolve().as_uri()


def _open(driver, url):
    driver.get(url)
    deadline = time.monotonic() + 10
    while not driver.execute_script("return !!window.skgdSimulator"):
        assert time.monotonic() < deadline, "the page's script did not start"
        time.sleep(0.05)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


@pytest.fixture
def page(driver, page_url):
    _open(driver, page_url)
    return driver


def _table(driver) -> dict:
    """The page's table: {optimizer: ((nit, status) at the page's tol, (nit, status) at 1e-6)}."""
    out = {}
    for name in OPTIMIZER_COLORS:
        row = driver.find_element("id", f"row-{name}")
        cells = [row.find_element("css selector", f".{c}") for c in ["at-tol", "at-default"]]
        out[name] = tuple(
            (int(c.get_attribute("data-nit")), int(c.get_attribute("data-status"))) for c in cells
        )
    return out


def _expected_table(settings) -> dict:
    hyper = {k: settings["hyper"][JS_HYPER.get(k, k)] for k in _hyper({})}
    out = {}
    for name in OPTIMIZER_COLORS:
        if name == "lion" and not hasattr(optimizers, "Lion"):
            continue
        counts = []
        for tol in [settings["tol"], 1e-6]:
            res = _python_run(
                name,
                settings["surface"],
                settings["condition"],
                settings["start"],
                settings["lr"],
                hyper,
                tol,
                settings["maxIter"],
            )
            counts.append((res.nit, res.status))
        out[name] = tuple(counts)
    return out


# ------------------------------------------------------------------ parity
@pytest.mark.parametrize("name", NAMES)
def test_page_iterates_equal_minimize_over_500_steps(page, name):
    for surface, condition, start, lr, overrides in CASES:
        hyper = _hyper(overrides)
        start_xy = make_surface(surface, condition=condition).start.tolist()
        theirs = _page_run(page, name, surface, condition, start or start_xy, lr, hyper, None, 500)
        ours = _python_run(name, surface, condition, start, lr, hyper, None, 500)
        where = f"{name} on {surface} (condition {condition}), lr={lr}, {overrides}"
        assert (theirs["nit"], theirs["status"]) == (ours.nit, ours.status), where
        np.testing.assert_allclose(
            np.array(theirs["path"]), ours.path, rtol=1e-9, atol=1e-9, err_msg=where
        )
        values = make_surface(surface, condition=condition).value(ours.path)
        np.testing.assert_allclose(theirs["values"], values, rtol=1e-9, atol=1e-12, err_msg=where)
        # minimize's stopping rule, at its default tol and at the page's opening tol
        for tol in [1e-6, DEFAULTS["tol"]]:
            args = (name, surface, condition, start or start_xy, lr, hyper, tol, 1000)
            theirs = _page_run(page, *args)
            ours = _python_run(*args)
            assert (theirs["nit"], theirs["status"]) == (ours.nit, ours.status), (where, tol)


class _ReferenceLion(optimizers.Optimizer):
    """Lion (Chen et al., 2023) in NumPy, from its formula, until skgd.optimizers has one."""

    n_slots = 1

    def __init__(self, beta1=0.9, beta2=0.99):
        self.beta1 = beta1
        self.beta2 = beta2

    def update(self, grad, state, params, learning_rate, n_coef=None):
        state = state.copy()
        state.t += 1
        m = state.slots[0]
        c = self.beta1 * m + (1.0 - self.beta1) * grad
        params = params - learning_rate * np.sign(c)
        state.slots[0] = self.beta2 * m + (1.0 - self.beta2) * grad
        return params, state


def test_page_lion_follows_its_formula(page):
    """The page's Lion against a NumPy Lion in minimize (skgd's own is checked once it lands)."""
    for surface, condition, start, lr, overrides in CASES:
        hyper = _hyper(overrides)
        function = make_surface(surface, condition=condition)
        start = function.start.tolist() if start is None else start
        theirs = _page_run(page, "lion", surface, condition, start, lr, hyper, None, 500)
        lion = _ReferenceLion(beta1=hyper["beta1"], beta2=hyper["lion_beta2"])
        ours = minimize(function, np.array(start), optimizer=lion, learning_rate=lr, tol=None,
                        max_iter=500)
        assert (theirs["nit"], theirs["status"]) == (ours.nit, ours.status), surface
        np.testing.assert_allclose(np.array(theirs["path"]), ours.path, rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------ the page as a user sees it
def test_page_opens_on_about_50_steps_for_momentum(page):
    settings = page.execute_script("return window.skgdSimulator.settings();")
    assert settings["surface"] == "quadratic" and settings["lr"] == 0.1
    assert settings["hyper"]["momentum"] == 0.9
    table = _table(page)
    expected = _expected_table(settings)
    assert {k: table[k] for k in expected} == expected
    (steps, status), (steps_default, _) = table["momentum"]
    assert status == 0 and 40 <= steps <= 60, table["momentum"]
    assert steps_default > 200
    # nothing was fetched: no script, style sheet, font or image from anywhere
    assert page.execute_script("return performance.getEntriesByType('resource').length;") == 0
    headline = page.find_element("id", "headline").text
    assert f"{steps} steps to tol = 1e-2" in headline
    assert f"{steps_default} steps to minimize's default tol = 1e-6" in headline


def test_surface_menu_click_to_start_and_slider(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "surface")).select_by_value("himmelblau")
    settings = page.execute_script("return window.skgdSimulator.settings();")
    assert settings["surface"] == "himmelblau" and settings["lr"] == 0.01
    # a click on the contours, a quarter of the way in from the top left corner
    canvas = page.find_element("id", "contours")
    size = canvas.size
    ActionChains(page).move_to_element_with_offset(
        canvas, -size["width"] // 4, -size["height"] // 4
    ).click().perform()
    settings = page.execute_script("return window.skgdSimulator.settings();")
    x, y = settings["start"]
    assert -5 < x < 0 < y < 5, settings["start"]
    # one notch of the learning-rate slider to the left: 10 ** -2.05
    page.find_element("id", "lr").send_keys(Keys.ARROW_LEFT)
    settings = page.execute_script("return window.skgdSimulator.settings();")
    assert settings["lr"] == 0.00891
    assert page.find_element("id", "lr-out").text == "0.00891"
    expected = _expected_table(settings)
    table = _table(page)
    assert {k: table[k] for k in expected} == expected


def test_other_surfaces_open_at_minimizes_tolerance_not_the_bowls(page):
    # tol=1e-2 stayed when the surface changed: on Rosenbrock the table said
    # SGD took 2 steps, at f = 4.1 (the minimum is 0)
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "surface")).select_by_value("rosenbrock")
    settings = page.execute_script("return window.skgdSimulator.settings();")
    assert settings["tol"] == 1e-6
    shown = Select(page.find_element("id", "tol")).first_selected_option.get_attribute("value")
    assert float(shown) == 1e-6
    table = _table(page)
    expected = _expected_table(settings)
    assert {k: table[k] for k in expected} == expected
    (steps, status), _ = table["sgd"]
    assert not (status == 0 and steps < 100), table["sgd"]
    Select(page.find_element("id", "surface")).select_by_value("quadratic")
    assert page.execute_script("return window.skgdSimulator.settings();")["tol"] == 1e-2


def _near(pixels: np.ndarray, color: str, distance: float = 30.0) -> int:
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    return int(np.sum(np.linalg.norm(pixels - rgb, axis=-1) <= distance))


def test_screenshot_shows_contours_and_the_paths_colours(page, tmp_path):
    from PIL import Image

    page.find_element("id", "end").click()
    shot = page.get_screenshot_as_png()
    keep = os.environ.get("SKGD_SIMULATOR_SCREENSHOT")
    for path in [tmp_path / "simulator.png", *([Path(keep)] if keep else [])]:
        path.write_bytes(shot)
    canvas = page.find_element("id", "contours")
    box = canvas.rect
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    crop = image.crop((box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]))
    pixels = np.asarray(crop, dtype=float)
    # not blank: many colours, shaded contours (grey bands) around the paths
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200
    assert pixels.std() > 20
    grey = np.ptp(pixels, axis=-1) < 40
    assert grey.mean() > 0.5, "the contours should fill most of the plot"
    shown = set(DEFAULTS["optimizers"])
    for name, color in OPTIMIZER_COLORS.items():
        count = _near(pixels, color)
        if name in shown:
            assert count >= 40, f"{name}'s path ({color}) is missing: {count} pixels"
        else:
            assert count < 5, f"{name} ({color}) is not ticked but drawn: {count} pixels"


# ------------------------------------------------------------------ the built docs
def test_simulator_in_the_built_docs(driver):
    site = os.environ.get("SKGD_DOCS_SITE")
    if not site:
        pytest.skip("set SKGD_DOCS_SITE to a built docs site (.ci/run does)")
    site = Path(site).resolve()
    assert (site / "skgd-simulator.html").is_file()
    driver.get((site / "simulator.html").as_uri())
    frame = driver.find_element("css selector", "iframe.skgd-simulator")
    driver.switch_to.frame(frame)
    try:
        deadline = time.monotonic() + 10
        while not driver.execute_script("return !!window.skgdSimulator"):
            assert time.monotonic() < deadline, "the embedded page's script did not start"
            time.sleep(0.05)
        settings = driver.execute_script("return window.skgdSimulator.settings();")
        expected = _expected_table(settings)
        table = _table(driver)
        assert {k: table[k] for k in expected} == expected
    finally:
        driver.switch_to.default_content()
