"""Losses of class scores ``eta`` (length K) for a label ``y`` (class index).

Binary problems use one score (K = 1) and y in {0, 1}. With K > 1 outputs,
``multinomial_log_loss`` is the softmax cross-entropy; the margin losses are
summed one-vs-rest over the K scores. Each function writes dL/d(eta) into
``grad`` and returns L. The sign s of a score (+1 on the side of the true
class) is written out in each function, as in the compiled branches.
"""

from __future__ import annotations

import numpy as np


def log_loss(y, eta, grad, param):
    """Binary cross-entropy log(1 + e^z) - y z of the score z, computed stably."""
    z = eta[0]
    if z > 0:
        e = np.exp(-z)
        grad[0] = 1.0 / (1.0 + e) - y
        return z + np.log1p(e) - y * z
    e = np.exp(z)
    grad[0] = e / (1.0 + e) - y
    return np.log1p(e) - y * z


def multinomial_log_loss(y, eta, grad, param):
    """Softmax cross-entropy logsumexp(eta) - eta[y]."""
    n_outputs = eta.shape[0]
    top = eta[0]
    for k in range(1, n_outputs):
        top = max(top, eta[k])
    total = 0.0
    for k in range(n_outputs):
        total += np.exp(eta[k] - top)
    lse = top + np.log(total)
    label = int(y)
    for k in range(n_outputs):
        grad[k] = np.exp(eta[k] - lse)
    grad[label] -= 1.0
    return lse - eta[label]


def hinge(y, eta, grad, param):
    """max(0, 1 - s z) for each score, s = +1 for the true class and -1 otherwise."""
    n_outputs = eta.shape[0]
    value = 0.0
    for k in range(n_outputs):
        s = (1.0 if y > 0.5 else -1.0) if n_outputs == 1 else (1.0 if int(y) == k else -1.0)
        margin = s * eta[k]
        if margin < 1.0:
            grad[k] = -s
            value += 1.0 - margin
        else:
            grad[k] = 0.0
    return value


def squared_hinge(y, eta, grad, param):
    """max(0, 1 - s z)^2 for each score."""
    n_outputs = eta.shape[0]
    value = 0.0
    for k in range(n_outputs):
        s = (1.0 if y > 0.5 else -1.0) if n_outputs == 1 else (1.0 if int(y) == k else -1.0)
        gap = 1.0 - s * eta[k]
        if gap > 0.0:
            grad[k] = -2.0 * gap * s
            value += gap * gap
        else:
            grad[k] = 0.0
    return value


def modified_huber(y, eta, grad, param):
    """Zhang's smoothed hinge: (1 - m)^2 for m >= -1 (0 past 1), -4m below -1; m = s z."""
    n_outputs = eta.shape[0]
    value = 0.0
    for k in range(n_outputs):
        s = (1.0 if y > 0.5 else -1.0) if n_outputs == 1 else (1.0 if int(y) == k else -1.0)
        margin = s * eta[k]
        if margin >= 1.0:
            grad[k] = 0.0
        elif margin >= -1.0:
            grad[k] = -2.0 * (1.0 - margin) * s
            value += (1.0 - margin) * (1.0 - margin)
        else:
            grad[k] = -4.0 * s
            value += -4.0 * margin
    return value
