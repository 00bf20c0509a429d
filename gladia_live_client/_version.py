"""The package version: one definition, read by the package root, the User-Agent and the build (pyproject.toml).

Kept equal to ``package_version_override`` in generator-config.yaml; tests/generated/test_generation.py checks.
"""

__version__ = "0.1.0"
