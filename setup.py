"""Build the Cython kernels (``skgd/_kernels``) at install time.

``pip install .`` (or ``-e .``) compiles them with the machine's C compiler;
nothing is compiled when skgd runs. Flags, per extension, and why:

- every kernel: ``-O3``; ``-fno-math-errno`` so that ``sqrt`` and ``exp``
  inline and loops with them vectorize; ``-fno-trapping-math`` so that loops
  with divisions vectorize; ``-ffp-contract=off`` so that results do not
  depend on whether the CPU has fused multiply-add (the kernels reproduce
  recorded fits to 1e-12); ``-march=native``, since a source build runs
  where it is built (a batch-1 Adam epoch: 0.123 s without, 0.063 s with,
  together with the next flags). Set ``SKGD_PORTABLE_BUILD=1`` to leave it
  out (for a build shared by different machines).
- the loops with sums over a row (``_epochs``, ``_objective``):
  ``-fassociative-math -fno-signed-zeros``, so that the dot products
  vectorize (a dense epoch in file order: 0.026 s without, 0.010 s with).

No flag assumes finite values (``-ffinite-math-only``, ``-ffast-math``):
overflow still shows as inf or NaN and is reported as divergence.
"""

import os
import subprocess
import sys
import sysconfig
import tempfile

from Cython.Build import cythonize
from setuptools import Extension, setup

BASE = ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
SUMS = ["-fassociative-math", "-fno-signed-zeros"]
MODULES = {"_losses": [], "_rules": [], "_epochs": SUMS, "_objective": SUMS}


def _compiler_accepts(flag: str) -> bool:
    """Whether the C compiler that builds extensions takes ``flag`` (for -march=native)."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "probe.c")
        with open(source, "w") as f:
            f.write("int main(void) { return 0; }\n")
        try:
            done = subprocess.run(
                [*compiler, flag, "-c", source, "-o", os.path.join(tmp, "probe.o")],
                capture_output=True,
            )
        except OSError:
            return False
    return done.returncode == 0


native = []
if os.environ.get("SKGD_PORTABLE_BUILD", "") in ("", "0") and sys.platform != "win32":
    native = ["-march=native"] if _compiler_accepts("-march=native") else []

extensions = [
    Extension(
        f"skgd._kernels.{name}",
        [f"skgd/_kernels/{name}.pyx"],
        extra_compile_args=BASE + extra + native,
    )
    for name, extra in MODULES.items()
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=2,
    )
)
