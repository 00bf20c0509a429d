"""The Python snippets of the documentation pages (docs/**/*.md), with how each is to be run.

A ```python block runs as written unless the line right above it is a marker:

- ``<!-- snippet: pytest -->``: a pytest test module; the suite writes it to a file and runs pytest on it.
- ``<!-- snippet: skip REASON -->``: not run (it needs hardware or a real account); the reason is required,
  and the suite counts these marks so that none is added unnoticed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

DOCS = ROOT / "docs"
_FENCE = re.compile(r"^```python\n(.*?)^```\n", re.S | re.M)
_MARK = re.compile(r"<!-- snippet: (pytest|skip)(?: (.+?))? -->")

# The modules users import from; a snippet or an example reaching into a private module would teach it.
PUBLIC_MODULES = frozenset(
    {"gladia_live_client", "gladia_live_client.models", "gladia_live_client.types", "gladia_live_client.testing"}
)


@dataclass(frozen=True)
class Snippet:
    page: Path
    line: int  # of the code's first line, 1-based
    code: str
    kind: str  # "run", "pytest" or "skip"
    reason: str | None

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(DOCS).as_posix()}:{self.line}"


def snippets() -> list[Snippet]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for fence in _FENCE.finditer(text):
            before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
            mark = _MARK.fullmatch(before.strip())
            kind, reason = (mark.group(1), mark.group(2)) if mark else ("run", None)
            line = text.count("\n", 0, fence.start(1)) + 1
            found.append(Snippet(page, line, fence.group(1), kind, reason))
    return found


def private_imports(code: str) -> list[str]:
    """The package modules `code` imports that are not public import paths."""
    bad = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        bad += [n for n in names if n.split(".")[0] == "gladia_live_client" and n not in PUBLIC_MODULES]
    return bad
