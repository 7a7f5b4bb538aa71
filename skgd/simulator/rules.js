"use strict";
// skgd's test surfaces and update rules, and skgd.minimize's loop, in JavaScript.
//
// Each formula is written in the order of operations of its Python original
// (skgd/landscapes.py, skgd/optimizers/*.py, skgd/_minimize.py), so that the
// iterates agree with skgd.minimize's to rounding: tests/test_simulator_browser.py
// checks 500 steps of every rule on every surface to 1e-9. Python's `a ** 2` is
// written `a * a` (numpy squares exactly); higher powers use Math.pow.

const SKGD = (() => {
  // ------------------------------------------------------------ surfaces
  // value(x, y) -> f and gradient(x, y) -> [df/dx, df/dy], as in skgd.landscapes.
  function quadratic(condition, angle = 0.0) {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    return {
      value(x, y) {
        const u = c * x + s * y;
        const v = -s * x + c * y;
        return 0.5 * (u * u + condition * (v * v));
      },
      gradient(x, y) {
        const u = c * x + s * y;
        const v = -s * x + c * y;
        const gu = u;
        const gv = condition * v;
        return [c * gu - s * gv, s * gu + c * gv];
      },
    };
  }

  function rosenbrock(a = 1.0, b = 100.0) {
    return {
      value(x, y) {
        const d = a - x;
        const e = y - x * x;
        return d * d + b * (e * e);
      },
      gradient(x, y) {
        return [-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)];
      },
    };
  }

  function himmelblau() {
    return {
      value(x, y) {
        const u = x * x + y - 11;
        const v = x + y * y - 7;
        return u * u + v * v;
      },
      gradient(x, y) {
        const u = x * x + y - 11;
        const v = x + y * y - 7;
        return [4 * x * u + 2 * v, 2 * u + 4 * y * v];
      },
    };
  }

  const BEALE = [1.5, 2.25, 2.625];

  function power(y, k) {
    // numpy: y ** 0 = 1, y ** 1 = y, y ** 2 = y * y exactly; higher powers by pow
    if (k === 0) return 1.0;
    if (k === 1) return y;
    if (k === 2) return y * y;
    return Math.pow(y, k);
  }

  function beale() {
    return {
      value(x, y) {
        let f = 0;
        for (let k = 0; k < 3; k++) {
          const r = BEALE[k] - x + x * power(y, k + 1);
          f = f + r * r;
        }
        return f;
      },
      gradient(x, y) {
        let gx = 0.0;
        let gy = 0.0;
        for (let k = 0; k < 3; k++) {
          const r = BEALE[k] - x + x * power(y, k + 1);
          gx = gx + 2 * r * (power(y, k + 1) - 1);
          gy = gy + 2 * r * (k + 1) * x * power(y, k);
        }
        return [gx, gy];
      },
    };
  }

  function saddle() {
    return {
      value(x, y) {
        return 0.5 * (x * x) + 0.25 * power(y, 4) - 0.5 * (y * y);
      },
      gradient(x, y) {
        return [x, power(y, 3) - y];
      },
    };
  }

  function surface(name, condition) {
    switch (name) {
      case "quadratic":
        return quadratic(condition);
      case "rosenbrock":
        return rosenbrock();
      case "himmelblau":
        return himmelblau();
      case "beale":
        return beale();
      case "saddle":
        return saddle();
      default:
        throw new Error(`unknown surface ${name}`);
    }
  }

  // ------------------------------------------------------------ update rules
  // rule.update(p, g, state, lr) changes p (the parameters) and state in place;
  // state.t counts the updates (incremented first, as OptimizerState.t is).

  function powers(beta1, beta2, t) {
    // beta ** t by repeated squaring, exactly as skgd/optimizers/adam.py computes it
    let p1 = 1.0;
    let p2 = 1.0;
    let b1 = beta1;
    let b2 = beta2;
    let k = t;
    while (k > 0) {
      if (k & 1) {
        p1 *= b1;
        p2 *= b2;
      }
      b1 *= b1;
      b2 *= b2;
      k >>= 1;
    }
    return [p1, p2];
  }

  const EPS = 1e-8;

  // SGD(momentum=beta, nesterov): v <- beta v + g; p <- p - lr v (Nesterov: p - lr (g + beta v))
  function sgd(beta, nesterov) {
    return (p, g, st, lr) => {
      const v = st.slots[0];
      for (let j = 0; j < p.length; j++) {
        if (beta === 0.0) {
          p[j] -= lr * g[j];
        } else if (nesterov) {
          v[j] = beta * v[j] + g[j];
          p[j] -= lr * (g[j] + beta * v[j]);
        } else {
          v[j] = beta * v[j] + g[j];
          p[j] -= lr * v[j];
        }
      }
    };
  }

  function adagrad() {
    return (p, g, st, lr) => {
      const acc = st.slots[0];
      for (let j = 0; j < p.length; j++) {
        acc[j] += g[j] * g[j];
        p[j] -= (lr * g[j]) / (Math.sqrt(acc[j]) + EPS);
      }
    };
  }

  function rmsprop(rho) {
    return (p, g, st, lr) => {
      const avg = st.slots[0];
      for (let j = 0; j < p.length; j++) {
        avg[j] = rho * avg[j] + (1.0 - rho) * g[j] * g[j];
        p[j] -= (lr * g[j]) / (Math.sqrt(avg[j]) + EPS);
      }
    };
  }

  function adam(beta1, beta2) {
    return (p, g, st, lr) => {
      const [m, v] = st.slots;
      const [power1, power2] = powers(beta1, beta2, st.t);
      const step = lr / (1.0 - power1);
      const invRoot2 = 1.0 / Math.sqrt(1.0 - power2);
      for (let j = 0; j < p.length; j++) {
        m[j] = beta1 * m[j] + (1.0 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1.0 - beta2) * g[j] * g[j];
        p[j] -= (step * m[j]) / (Math.sqrt(v[j]) * invRoot2 + EPS);
      }
    };
  }

  function nadam(beta1, beta2) {
    return (p, g, st, lr) => {
      const [m, v] = st.slots;
      const [power1, power2] = powers(beta1, beta2, st.t);
      const cM = beta1 / (1.0 - power1 * beta1);
      const cG = (1.0 - beta1) / (1.0 - power1);
      const invRoot2 = 1.0 / Math.sqrt(1.0 - power2);
      for (let j = 0; j < p.length; j++) {
        m[j] = beta1 * m[j] + (1.0 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1.0 - beta2) * g[j] * g[j];
        p[j] -= (lr * (cM * m[j] + cG * g[j])) / (Math.sqrt(v[j]) * invRoot2 + EPS);
      }
    };
  }

  // Lion (Chen et al., 2023): c = b1 m + (1 - b1) g; p <- p - lr (sign(c) + wd p);
  // m <- b2 m + (1 - b2) g. The page uses weight_decay = 0.
  function lion(beta1, beta2, weightDecay = 0.0) {
    return (p, g, st, lr) => {
      const m = st.slots[0];
      for (let j = 0; j < p.length; j++) {
        const c = beta1 * m[j] + (1.0 - beta1) * g[j];
        p[j] = p[j] - lr * (Math.sign(c) + weightDecay * p[j]);
        m[j] = beta2 * m[j] + (1.0 - beta2) * g[j];
      }
    };
  }

  // The page's optimizers from its settings: the twins of skgd.simulator.make_optimizer.
  function rule(name, h) {
    switch (name) {
      case "sgd":
        return sgd(0.0, false);
      case "momentum":
        return sgd(h.momentum, false);
      case "nesterov":
        return sgd(h.momentum, h.momentum > 0);
      case "adagrad":
        return adagrad();
      case "rmsprop":
        return rmsprop(h.rho);
      case "adam":
        return adam(h.beta1, h.beta2);
      case "nadam":
        return nadam(h.beta1, h.beta2);
      case "lion":
        return lion(h.beta1, h.lionBeta2);
      default:
        throw new Error(`unknown optimizer ${name}`);
    }
  }

  // ------------------------------------------------------------ skgd.minimize's loop
  const finite = (f, g) => Number.isFinite(f) && Number.isFinite(g[0]) && Number.isFinite(g[1]);
  const largest = (g) => Math.max(Math.abs(g[0]), Math.abs(g[1]));

  // run({surface, condition, start, optimizer, lr, hyper, tol, maxIter}) ->
  // {path, values, measures, nit, status}: status 0 converged (the relative gradient
  // m = max|g| / max|g(x0)| <= tol at iterate nit), 1 maxIter updates made, 2 diverged
  // (the update nit + 1 gave a non-finite iterate, value or gradient). tol null never stops.
  function run(opts) {
    const surf = surface(opts.surface, opts.condition);
    const update = rule(opts.optimizer, opts.hyper);
    const state = { slots: [new Float64Array(2), new Float64Array(2)], t: 0 };
    const tol = opts.tol === undefined ? 1e-6 : opts.tol;
    const maxIter = opts.maxIter === undefined ? 1000 : opts.maxIter;
    const lr = opts.lr;
    let x = [opts.start[0], opts.start[1]];
    let f = surf.value(x[0], x[1]);
    let g = surf.gradient(x[0], x[1]);
    const path = [x.slice()];
    const values = [f];
    const measures = [];
    if (!finite(f, g)) return { path, values, measures, nit: 0, status: 2 };
    const scale = largest(g);
    let nit = 0;
    let status;
    for (;;) {
      const top = largest(g);
      const measure = top > 0.0 ? top / scale : 0.0;
      measures.push(measure);
      if (tol !== null && measure <= tol) {
        status = 0;
        break;
      }
      if (nit >= maxIter) {
        status = 1;
        break;
      }
      const next = x.slice();
      state.t += 1;
      update(next, g, state, lr);
      if (!Number.isFinite(next[0]) || !Number.isFinite(next[1])) {
        status = 2;
        break;
      }
      const fNext = surf.value(next[0], next[1]);
      const gNext = surf.gradient(next[0], next[1]);
      if (!finite(fNext, gNext)) {
        status = 2;
        break;
      }
      x = next;
      f = fNext;
      g = gNext;
      nit += 1;
      path.push(x.slice());
      values.push(f);
    }
    return { path, values, measures, nit, status };
  }

  return { surface, rule, run };
})();
