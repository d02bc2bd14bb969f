"""Package layout that pyproject.toml cannot express: bench_configs/ ships inside the wheel as hil/bench_configs.

The checkout keeps bench_configs/ at the top (scenarios, rigs and docs name that path); a wheel install has no
checkout, so the same folder is mapped into the `hil` package and found by hil.paths through importlib.resources.
Every file under bench_configs/ is package data, whatever its type (YAML, JSON, CSV ...).
"""
from setuptools import find_namespace_packages, setup

BENCH_CONFIGS_PACKAGE = "hil.bench_configs"
CODE_PACKAGES = find_namespace_packages(include=["firmware_sim", "firmware_sim.*", "hil", "hil.*",
                                                 "drivers", "drivers.*"])
DATA_PACKAGES = [BENCH_CONFIGS_PACKAGE] + [f"{BENCH_CONFIGS_PACKAGE}.{name}"
                                           for name in find_namespace_packages(where="bench_configs")]

setup(
    packages=CODE_PACKAGES + DATA_PACKAGES,
    package_dir={BENCH_CONFIGS_PACKAGE: "bench_configs"},
    package_data={"": ["*.yaml", "*.json"], **{package: ["*"] for package in DATA_PACKAGES}},
)
