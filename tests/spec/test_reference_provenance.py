"""The reference material kept in the repository is exactly what reference/PROVENANCE.md lists, byte for byte."""

from __future__ import annotations

import hashlib
import json
import re

from scripts.upstream import REFERENCE, UPSTREAM_OPENAPI
from tests.conftest import ROOT

FOLDER = ROOT / "reference"
PROVENANCE = FOLDER / "PROVENANCE.md"
# A row of the sha256 table: | `path relative to reference/` | `64 hex digits` |
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| `(?P<sha256>[0-9a-f]{64})` \|$", re.MULTILINE)


def listed() -> dict[str, str]:
    rows = ROW.findall(PROVENANCE.read_text(encoding="utf-8"))
    files = [file for file, _ in rows]
    assert len(files) == len(set(files)), "a file is listed twice in PROVENANCE.md"
    return dict(rows)


def kept() -> dict[str, str]:
    return {
        path.relative_to(FOLDER).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(FOLDER.rglob("*"))
        if path.is_file() and path != PROVENANCE
    }


def test_every_kept_file_is_listed_with_its_sha256() -> None:
    assert kept() == listed()


def test_the_table_lists_the_documents_the_checks_read() -> None:
    table = listed()
    for document in (UPSTREAM_OPENAPI, REFERENCE / "gladia-asyncapi.yaml", REFERENCE / "examples" / "index.json"):
        assert document.relative_to(FOLDER).as_posix() in table


def test_every_example_the_index_names_is_kept() -> None:
    index = json.loads((REFERENCE / "examples" / "index.json").read_text(encoding="utf-8"))
    names = {entry["file"] for entry in index}
    on_disk = {p.relative_to(REFERENCE).as_posix() for p in (REFERENCE / "examples").rglob("*") if p.is_file()}
    assert names == on_disk - {"examples/index.json"}
