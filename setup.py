"""Build the Cython kernels (``skgd/_kernels``) at install time.

``pip install .`` (or ``-e .``) compiles them with the C compiler of the
machine; nothing is compiled when skgd runs. The flags are per extension
and none assumes finite values, so overflow still shows as inf/NaN and is
reported as divergence: ``-fno-math-errno`` lets ``sqrt``/``exp`` inline,
``-fno-trapping-math`` lets loops with divisions vectorize.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

FLAGS = ["-O3", "-fno-math-errno", "-fno-trapping-math"]
MODULES = ["_losses", "_rules", "_epochs", "_objective"]

extensions = [
    Extension(
        f"skgd._kernels.{name}",
        [f"skgd/_kernels/{name}.pyx"],
        extra_compile_args=FLAGS,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    for name in MODULES
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=2,
    )
)
