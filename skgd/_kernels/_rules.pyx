# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled update rules' names and hyperparameters, and a Python entry (``step``)."""

#: The compiled branches of ``rule_step``, by code (see ``_rules.pxd``).
NAMES = ("sgd", "adagrad", "rmsprop", "adam", "adamw", "nadam", "lion")
#: The fields of ``Hyper``: the names an optimizer's hyperparameters may have.
HYPERPARAMETERS = (
    "momentum", "nesterov", "beta1", "beta2", "eps", "amsgrad", "weight_decay", "rho"
)


def step(
    int rule,
    double[::1] params,
    const double[::1] grad,
    double[:, ::1] slots,
    Hyper hyper,
    double lr,
    long long t,
    Py_ssize_t n_coef,
):
    """One dense update of every entry of ``params`` (and of ``slots``), in place."""
    cdef Py_ssize_t n = params.shape[0]
    if grad.shape[0] != n or slots.shape[1] != n:
        raise ValueError("params, grad and the slots' rows must have one length")
    with nogil:
        rule_step(
            rule, &params[0], &grad[0], &slots[0, 0], slots.shape[1], n, &hyper, lr, t,
            n_coef, NULL, 0,
        )
