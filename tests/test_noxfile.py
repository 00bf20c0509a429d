"""`make test-all` runs the suite on exactly the Python versions the package's classifiers claim."""

from __future__ import annotations

import ast
import tomllib

from tests.conftest import ROOT


def test_the_noxfile_covers_every_claimed_python() -> None:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    (pythons,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(target, "id", None) for target in node.targets] == ["PYTHONS"]
    ]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    prefix = "Programming Language :: Python :: "
    claimed = [c.removeprefix(prefix) for c in project["classifiers"] if c.startswith(prefix + "3.")]
    assert pythons == claimed
    assert project["requires-python"] == f">={pythons[0]}"
