"""`make template-diff` (scripts/template_diff.py): every override shown against the pinned generator's template."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from scripts.template_diff import OVERRIDES, report, upstream_templates
from tests.conftest import ROOT


def test_every_override_appears_with_its_diff_and_the_run_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "template_diff.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    overrides = sorted(path.relative_to(OVERRIDES).as_posix() for path in OVERRIDES.rglob("*") if path.is_file())
    assert overrides, "generator-templates/ holds the overrides"
    shown = re.findall(r"^## (\S+): (changed|new|unchanged)", result.stdout, flags=re.MULTILINE)
    assert [name for name, _ in shown] == overrides
    for name, state in shown:
        if state == "changed":
            assert f"--- upstream/{name}" in result.stdout
            assert f"+++ generator-templates/{name}" in result.stdout
    # The endpoint template is an override of the generator's: its public builder is in the diff.
    assert "+def build_request(" in result.stdout


def test_a_template_with_no_upstream_counterpart_is_reported_as_new(tmp_path: Path) -> None:
    (tmp_path / "property_templates").mkdir()
    (tmp_path / "property_templates" / "date_property.py.jinja").write_text(
        (upstream_templates() / "property_templates" / "date_property.py.jinja").read_text(encoding="utf-8")
    )
    (tmp_path / "brand_new.py.jinja").write_text("one line\n")
    lines = list(report(tmp_path, upstream_templates()))
    assert "## brand_new.py.jinja: new (no template of that name upstream)" in lines
    assert "+one line" in lines
    assert "## property_templates/date_property.py.jinja: unchanged" in lines
