"use strict";
// The page: controls, the contours (computed in Python, see _page.py), paths and curves.
// Every change of a control reruns all the optimizers (SKGD.run, rules.js) and redraws.

(() => {
  const DATA = JSON.parse(document.getElementById("skgd-data").textContent);
  const $ = (id) => document.getElementById(id);
  const D = DATA.defaults;
  const DEFAULT_TOL = 1e-6; // skgd.minimize's
  const BANDS = 24;

  const state = {
    surface: D.surface,
    conditionIndex: DATA.conditions.indexOf(D.condition),
    start: DATA.surfaces[D.surface].start.slice(),
    lr: D.learning_rate,
    momentum: D.momentum,
    beta1: D.beta1,
    beta2: D.beta2,
    rho: D.rho,
    lionBeta2: D.lion_beta2,
    tol: D.tol,
    maxIter: D.max_iter,
    shown: new Set(D.optimizers),
    cursor: 0,
    playing: true,
    speed: 1,
    curve: "loss",
  };
  let runs = {};
  let background = null; // the contour image of the current surface

  // ------------------------------------------------------------ settings and runs
  function settings() {
    return {
      surface: state.surface,
      condition: DATA.conditions[state.conditionIndex],
      start: state.start.slice(),
      lr: state.lr,
      hyper: {
        momentum: state.momentum,
        beta1: state.beta1,
        beta2: state.beta2,
        rho: state.rho,
        lionBeta2: state.lionBeta2,
      },
      tol: state.tol,
      maxIter: state.maxIter,
    };
  }

  // minimize(tol)'s outcome, read off a run made to a tolerance at least as tight
  function outcome(run, tol) {
    const k = run.measures.findIndex((m) => m <= tol);
    return k >= 0 ? { nit: k, status: 0 } : { nit: run.nit, status: run.status };
  }

  function rerun() {
    const s = settings();
    runs = {};
    for (const opt of DATA.optimizers) {
      const run = SKGD.run({ ...s, optimizer: opt.name, tol: Math.min(s.tol, DEFAULT_TOL) });
      runs[opt.name] = { ...run, atTol: outcome(run, s.tol), atDefault: outcome(run, DEFAULT_TOL) };
    }
  }

  const lastStep = () => {
    let n = 1;
    for (const name of state.shown) n = Math.max(n, runs[name].atTol.nit + 1);
    return n;
  };

  // ------------------------------------------------------------ geometry
  const contours = $("contours");
  const curves = $("curves");
  const BOX = { left: 46, right: 10, top: 10, bottom: 32 };

  function frame(canvas) {
    return {
      x: BOX.left,
      y: BOX.top,
      w: canvas.width - BOX.left - BOX.right,
      h: canvas.height - BOX.top - BOX.bottom,
    };
  }

  function toPixel(p) {
    const [[x0, x1], [y0, y1]] = DATA.surfaces[state.surface].bounds;
    const f = frame(contours);
    const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));
    return [
      clamp(f.x + ((p[0] - x0) / (x1 - x0)) * f.w),
      clamp(f.y + (1 - (p[1] - y0) / (y1 - y0)) * f.h),
    ];
  }

  function fromPixel(px, py) {
    const [[x0, x1], [y0, y1]] = DATA.surfaces[state.surface].bounds;
    const f = frame(contours);
    return [x0 + ((px - f.x) / f.w) * (x1 - x0), y1 - ((py - f.y) / f.h) * (y1 - y0)];
  }

  // ------------------------------------------------------------ colours
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const RAMP = DATA.ramp.map(hex);

  function rampColor(t) {
    const u = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
    const i = Math.min(RAMP.length - 2, Math.floor(u));
    const w = u - i;
    return RAMP[i].map((c, k) => c + w * (RAMP[i + 1][k] - c));
  }

  // ------------------------------------------------------------ contours
  function decode(b64) {
    // little-endian uint16 levels, 0..65535 (see _contour_grid in _page.py)
    const text = atob(b64);
    const out = new Float64Array(text.length / 2);
    for (let i = 0; i < out.length; i++) {
      out[i] = (text.charCodeAt(2 * i) | (text.charCodeAt(2 * i + 1) << 8)) / 65535;
    }
    return out;
  }

  const pick = (list) => (list.length > 1 ? list[state.conditionIndex] : list[0]);

  function makeBackground() {
    const surf = DATA.surfaces[state.surface];
    const grid = decode(pick(surf.grids));
    const n = DATA.resolution;
    const f = frame(contours);
    const w = Math.round(f.w);
    const h = Math.round(f.h);
    const band = new Uint8Array(w * h);
    for (let j = 0; j < h; j++) {
      const gy = (1 - (j + 0.5) / h) * (n - 1);
      const r0 = Math.min(n - 2, Math.floor(gy));
      const wy = gy - r0;
      for (let i = 0; i < w; i++) {
        const gx = ((i + 0.5) / w) * (n - 1);
        const c0 = Math.min(n - 2, Math.floor(gx));
        const wx = gx - c0;
        const a = grid[r0 * n + c0] * (1 - wx) + grid[r0 * n + c0 + 1] * wx;
        const b = grid[(r0 + 1) * n + c0] * (1 - wx) + grid[(r0 + 1) * n + c0 + 1] * wx;
        const t = a * (1 - wy) + b * wy;
        band[j * w + i] = Math.min(BANDS - 1, Math.floor(t * BANDS));
      }
    }
    const image = new ImageData(w, h);
    const colors = Array.from({ length: BANDS }, (_, k) => rampColor(k / (BANDS - 1)));
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const k = band[j * w + i];
        const edge =
          (i + 1 < w && band[j * w + i + 1] !== k) || (j + 1 < h && band[(j + 1) * w + i] !== k);
        const c = colors[k];
        const o = 4 * (j * w + i);
        const dim = edge ? 0.78 : 1;
        image.data[o] = c[0] * dim;
        image.data[o + 1] = c[1] * dim;
        image.data[o + 2] = c[2] * dim;
        image.data[o + 3] = 255;
      }
    }
    background = image;
  }

  // ------------------------------------------------------------ drawing
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(v);
    return out;
  }

  const fmt = (v) => String(Number(v.toPrecision(3)));

  function axes(ctx, f, xs, ys, xLabel, yLabel) {
    ctx.fillStyle = "#1d2733";
    ctx.strokeStyle = "#1d2733";
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeRect(f.x + 0.5, f.y + 0.5, f.w, f.h);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const [px, text] of xs) {
      ctx.beginPath();
      ctx.moveTo(px, f.y + f.h);
      ctx.lineTo(px, f.y + f.h + 4);
      ctx.stroke();
      ctx.fillText(text, px, f.y + f.h + 6);
    }
    ctx.fillText(xLabel, f.x + f.w / 2, f.y + f.h + 18);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [py, text] of ys) {
      ctx.beginPath();
      ctx.moveTo(f.x - 4, py);
      ctx.lineTo(f.x, py);
      ctx.stroke();
      ctx.fillText(text, f.x - 6, py);
    }
    ctx.save();
    ctx.translate(11, f.y + f.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
  }

  function marker(ctx, p, kind) {
    const [x, y] = toPixel(p);
    ctx.fillStyle = "#ffffff";
    ctx.strokeStyle = "#000000";
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    if (kind === "star") {
      for (let k = 0; k < 10; k++) {
        const r = k % 2 ? 3.5 : 8.5;
        const a = -Math.PI / 2 + (k * Math.PI) / 5;
        ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
      }
      ctx.closePath();
    } else if (kind === "cross") {
      ctx.moveTo(x - 5, y - 5);
      ctx.lineTo(x + 5, y + 5);
      ctx.moveTo(x + 5, y - 5);
      ctx.lineTo(x - 5, y + 5);
      ctx.lineWidth = 2.5;
      ctx.stroke();
      return;
    } else {
      ctx.rect(x - 5, y - 5, 10, 10);
    }
    ctx.fill();
    ctx.stroke();
  }

  const shownOptimizers = () => DATA.optimizers.filter((o) => state.shown.has(o.name));
  const visible = (run) => Math.min(Math.floor(state.cursor), run.atTol.nit) + 1;

  function drawContours() {
    const ctx = contours.getContext("2d");
    const f = frame(contours);
    const surf = DATA.surfaces[state.surface];
    ctx.fillStyle = "#fafbfc";
    ctx.fillRect(0, 0, contours.width, contours.height);
    ctx.putImageData(background, f.x, f.y);
    const [[x0, x1], [y0, y1]] = surf.bounds;
    axes(
      ctx,
      f,
      ticks(x0, x1, 5).map((v) => [toPixel([v, y0])[0], fmt(v)]),
      ticks(y0, y1, 5).map((v) => [toPixel([x0, v])[1], fmt(v)]),
      "x",
      "y",
    );
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.x, f.y, f.w, f.h);
    ctx.clip();
    for (const m of surf.minima) marker(ctx, m, "star");
    for (const s of surf.saddles) marker(ctx, s, "cross");
    for (const opt of shownOptimizers()) {
      const run = runs[opt.name];
      const n = visible(run);
      const pts = run.path.slice(0, n).map(toPixel);
      ctx.lineJoin = "round";
      ctx.lineCap = "round";
      for (const [width, color] of [
        [5.5, "rgba(0, 0, 0, 0.6)"],
        [3, opt.color],
      ]) {
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.beginPath();
        pts.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
        ctx.stroke();
      }
      ctx.fillStyle = opt.color;
      if (n <= 150) for (const [x, y] of pts) ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      const [ex, ey] = pts[pts.length - 1];
      ctx.beginPath();
      ctx.arc(ex, ey, 5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.2;
      ctx.stroke();
    }
    marker(ctx, state.start, "square");
    ctx.restore();
  }

  function drawCurves() {
    const ctx = curves.getContext("2d");
    const f = frame(curves);
    const surf = DATA.surfaces[state.surface];
    ctx.fillStyle = "#fafbfc";
    ctx.fillRect(0, 0, curves.width, curves.height);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(f.x, f.y, f.w, f.h);
    const opts = shownOptimizers();
    const series = opts.map((opt) => {
      const run = runs[opt.name];
      const ys =
        state.curve === "loss"
          ? run.values.slice(0, run.atTol.nit + 1).map((v) => v - surf.minValue)
          : run.measures.slice(0, run.atTol.nit + 1);
      return ys.map((v) => Math.log10(Math.max(v, 1e-16)));
    });
    const all = series.flat().filter(Number.isFinite);
    let lo = all.length ? Math.floor(Math.min(...all)) : -6;
    let hi = all.length ? Math.ceil(Math.max(...all)) : 1;
    if (state.curve === "measure") lo = Math.min(lo, Math.floor(Math.log10(state.tol)));
    if (hi <= lo) hi = lo + 1;
    const steps = Math.max(10, lastStep() - 1);
    const px = (k) => f.x + (k / steps) * f.w;
    const py = (v) => f.y + (1 - (v - lo) / (hi - lo)) * f.h;
    const every = Math.ceil((hi - lo) / 8);
    const decades = [];
    for (let d = lo; d <= hi; d += every) decades.push(d);
    ctx.strokeStyle = "#e1e6ec";
    ctx.lineWidth = 1;
    for (const d of decades) {
      ctx.beginPath();
      ctx.moveTo(f.x, py(d));
      ctx.lineTo(f.x + f.w, py(d));
      ctx.stroke();
    }
    axes(
      ctx,
      f,
      ticks(0, steps, 5).map((k) => [px(k), String(k)]),
      decades.map((d) => [py(d), `1e${d}`]),
      "step",
      state.curve === "loss" ? "f − f*" : "max|g| / max|g(x₀)|",
    );
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.x, f.y, f.w, f.h);
    ctx.clip();
    if (state.curve === "measure") {
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = "#1d2733";
      ctx.beginPath();
      ctx.moveTo(f.x, py(Math.log10(state.tol)));
      ctx.lineTo(f.x + f.w, py(Math.log10(state.tol)));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    opts.forEach((opt, i) => {
      const n = visible(runs[opt.name]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = opt.color;
      ctx.beginPath();
      series[i].slice(0, n).forEach((v, k) => {
        if (k) ctx.lineTo(px(k), py(v));
        else ctx.moveTo(px(k), py(v));
      });
      ctx.stroke();
    });
    const k = Math.min(Math.floor(state.cursor), lastStep() - 1);
    ctx.strokeStyle = "rgba(29, 39, 51, 0.5)";
    ctx.beginPath();
    ctx.moveTo(px(k), f.y);
    ctx.lineTo(px(k), f.y + f.h);
    ctx.stroke();
    ctx.restore();
    $("cursor").textContent = ` step ${k} of ${lastStep() - 1}`;
  }

  // ------------------------------------------------------------ the table
  const fmtTol = (t) => t.toExponential(0);

  function describe(out) {
    if (out.status === 0) return String(out.nit);
    if (out.status === 2) return `diverged at step ${out.nit + 1}`;
    return `not within ${state.maxIter}`;
  }

  function buildRows() {
    const body = $("rows");
    body.textContent = "";
    for (const opt of DATA.optimizers) {
      const tr = document.createElement("tr");
      tr.id = `row-${opt.name}`;
      tr.innerHTML =
        `<td><input type="checkbox" id="show-${opt.name}"></td>` +
        `<td><span class="swatch" style="background:${opt.color}"></span>${opt.label}</td>` +
        `<td class="at-tol"></td><td class="at-default"></td><td class="value"></td>`;
      body.appendChild(tr);
      const box = tr.querySelector("input");
      box.checked = state.shown.has(opt.name);
      box.addEventListener("change", () => {
        if (box.checked) state.shown.add(opt.name);
        else state.shown.delete(opt.name);
        redraw();
      });
    }
  }

  function fillRows() {
    $("tol-head").textContent = `steps to tol = ${fmtTol(state.tol)}`;
    for (const opt of DATA.optimizers) {
      const run = runs[opt.name];
      const tr = $(`row-${opt.name}`);
      tr.classList.toggle("off", !state.shown.has(opt.name));
      for (const [cls, out] of [
        ["at-tol", run.atTol],
        ["at-default", run.atDefault],
      ]) {
        const td = tr.querySelector(`.${cls}`);
        td.textContent = describe(out);
        td.dataset.nit = out.nit;
        td.dataset.status = out.status;
      }
      const value = run.values[visible(run) - 1];
      tr.querySelector(".value").textContent = value.toPrecision(4);
    }
    const m = runs.momentum;
    const where =
      state.surface === "quadratic"
        ? `the condition-${fmt(DATA.conditions[state.conditionIndex])} bowl`
        : state.surface;
    const at = (out) =>
      out.status === 0 ? `${out.nit} steps` : describe(out).replace("not within", "not in");
    $("headline").textContent =
      `Momentum β = ${state.momentum} at learning rate ${state.lr} on ${where}: ` +
      `${at(m.atTol)} to tol = ${fmtTol(state.tol)}; ${at(m.atDefault)} to minimize's ` +
      `default tol = 1e-6.`;
  }

  function redraw() {
    state.cursor = Math.min(state.cursor, lastStep() - 1);
    drawContours();
    drawCurves();
    fillRows();
    $("play").textContent = state.playing ? "Pause" : "Play";
  }

  // ------------------------------------------------------------ controls
  function showValues() {
    $("condition-out").textContent = fmt(DATA.conditions[state.conditionIndex]);
    $("condition-box").style.display = state.surface === "quadratic" ? "" : "none";
    $("lr-out").textContent = String(state.lr);
    $("momentum-out").textContent = String(state.momentum);
    $("beta1-out").textContent = String(state.beta1);
    $("beta2-out").textContent = String(state.beta2);
    $("rho-out").textContent = String(state.rho);
    $("lion-beta2-out").textContent = String(state.lionBeta2);
    const surf = DATA.surfaces[state.surface];
    $("contours-caption").textContent = `${state.surface}: ${pick(surf.descriptions)}`;
  }

  function changed({ restart = false, surface = false } = {}) {
    const wasAtEnd = !state.playing && state.cursor >= lastStep() - 1;
    if (surface) makeBackground();
    rerun();
    if (restart) {
      state.cursor = 0;
      state.playing = true;
    } else if (wasAtEnd) {
      state.cursor = lastStep() - 1;
    }
    showValues();
    redraw();
  }

  function setLearningRate(lr) {
    state.lr = lr;
    $("lr").value = Math.log10(lr);
  }

  function bind() {
    const menu = $("surface");
    for (const name of Object.keys(DATA.surfaces)) menu.add(new Option(name, name));
    menu.value = state.surface;
    menu.addEventListener("change", () => {
      state.surface = menu.value;
      state.start = DATA.surfaces[state.surface].start.slice();
      setLearningRate(DATA.surfaces[state.surface].learningRate);
      // each surface opens at its own tolerance (1e-2 only on the bowl)
      state.tol = DATA.surfaces[state.surface].tol;
      $("tol").value = String(state.tol);
      changed({ restart: true, surface: true });
    });
    const cond = $("condition");
    cond.max = DATA.conditions.length - 1;
    cond.value = state.conditionIndex;
    cond.addEventListener("input", () => {
      state.conditionIndex = Number(cond.value);
      changed({ surface: true });
    });
    setLearningRate(state.lr);
    $("lr").addEventListener("input", () => {
      state.lr = Number(Math.pow(10, Number($("lr").value)).toPrecision(3));
      changed();
    });
    for (const [id, key] of [
      ["momentum", "momentum"],
      ["beta1", "beta1"],
      ["beta2", "beta2"],
      ["rho", "rho"],
      ["lion-beta2", "lionBeta2"],
    ]) {
      $(id).value = state[key];
      $(id).addEventListener("input", () => {
        state[key] = Number($(id).value);
        changed();
      });
    }
    const tol = $("tol");
    for (const t of DATA.tolerances) {
      const label = t === DEFAULT_TOL ? `${fmtTol(t)} (minimize's default)` : fmtTol(t);
      tol.add(new Option(label, String(t)));
    }
    tol.value = String(state.tol);
    tol.addEventListener("change", () => {
      state.tol = Number(tol.value);
      changed();
    });
    $("curve").addEventListener("change", () => {
      state.curve = $("curve").value;
      redraw();
    });
    $("speed").addEventListener("change", () => (state.speed = Number($("speed").value)));
    $("play").addEventListener("click", () => {
      if (!state.playing && state.cursor >= lastStep() - 1) state.cursor = 0;
      state.playing = !state.playing;
      redraw();
    });
    $("step").addEventListener("click", () => {
      state.playing = false;
      state.cursor = Math.floor(state.cursor) + 1;
      redraw();
    });
    $("reset").addEventListener("click", () => {
      state.playing = false;
      state.cursor = 0;
      redraw();
    });
    $("end").addEventListener("click", () => {
      state.playing = false;
      state.cursor = lastStep() - 1;
      redraw();
    });
    contours.addEventListener("click", (event) => {
      const box = contours.getBoundingClientRect();
      const px = ((event.clientX - box.left) * contours.width) / box.width;
      const py = ((event.clientY - box.top) * contours.height) / box.height;
      const f = frame(contours);
      if (px < f.x || px > f.x + f.w || py < f.y || py > f.y + f.h) return;
      state.start = fromPixel(px, py).map((v) => Math.round(v * 1000) / 1000);
      changed({ restart: true });
    });
  }

  function tick() {
    if (state.playing) {
      state.cursor += state.speed;
      if (state.cursor >= lastStep() - 1) {
        state.cursor = lastStep() - 1;
        state.playing = false;
      }
      redraw();
    }
    requestAnimationFrame(tick);
  }

  buildRows();
  bind();
  changed({ restart: true, surface: true });
  requestAnimationFrame(tick);

  // For tests and the curious: the engine and the page's current settings and runs.
  window.skgdSimulator = {
    SKGD,
    data: DATA,
    settings,
    runs: () => runs,
    state,
  };
})();
