"""`make test-all`: the test suite on every Python version the package claims (its classifiers list them).

Each session is a virtual environment of nox's own, installed from the same pinned requirements as `.venv`;
`make test` stays the fast, single-version run (lint, drift check, tests) that CI and developers use.
"""

from __future__ import annotations

import nox

# Keep in step with the "Programming Language :: Python :: 3.x" classifiers (tests/test_noxfile.py checks).
PYTHONS = ["3.11", "3.12", "3.13"]

nox.options.error_on_missing_interpreters = True
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("--quiet", "-r", "requirements/dev.txt")
    session.install("--quiet", "--no-deps", "--no-build-isolation", "-e", ".")
    session.run("python", "-m", "pytest", "-q", *session.posargs)
