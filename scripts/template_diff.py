"""Print how each template of `generator-templates/` differs from the pinned generator's own template.

Run it through `make template-diff`. For every file below `generator-templates/` (subfolders included), the
template of the same relative path inside the installed openapi-python-client (`openapi_python_client/
templates/`) is the base of a unified diff. A template the generator does not have is reported as new (and
shown whole, against nothing); a template identical to the generator's is reported as unchanged. Always exits
0: this is a report for reviewing the overrides, for instance before upgrading the pinned generator.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = ROOT / "generator-templates"


def upstream_templates() -> Path:
    """The template folder of the installed (pinned) openapi-python-client."""
    import openapi_python_client

    return Path(openapi_python_client.__file__).resolve().parent / "templates"


def report(overrides: Path, upstream: Path) -> Iterator[str]:
    """The lines of the report: one diff (or one "new"/"unchanged" line) per override, by path."""
    import openapi_python_client

    version = getattr(openapi_python_client, "__version__", "(unknown version)")
    yield f"# generator-templates/ against the templates of openapi-python-client {version}"
    for path in sorted(p for p in overrides.rglob("*") if p.is_file()):
        name = path.relative_to(overrides).as_posix()
        ours = path.read_text(encoding="utf-8").splitlines(keepends=True)
        theirs_path = upstream / name
        if not theirs_path.is_file():
            yield f"## {name}: new (no template of that name upstream)"
            base: list[str] = []
        else:
            base = theirs_path.read_text(encoding="utf-8").splitlines(keepends=True)
            if base == ours:
                yield f"## {name}: unchanged"
                continue
            yield f"## {name}: changed"
        diff = difflib.unified_diff(base, ours, f"upstream/{name}", f"generator-templates/{name}")
        yield from (line.rstrip("\n") for line in diff)


def main(argv: list[str]) -> int:
    for line in report(OVERRIDES, upstream_templates()):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
