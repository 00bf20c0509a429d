"""Copy `openapi.yaml` into the package as `gladia_live_client/testing/openapi.json`.

The local server (`gladia_live_client.testing`) validates requests against the contract. An installed wheel
has no repository around it, so the server reads this JSON copy shipped inside the package instead of the
YAML file at the repository root. `tests/server/test_spec_copy.py` fails when the copy is stale; run
`python scripts/sync_testing_spec.py` (or `--check` to only compare) after changing `openapi.yaml`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
COPY = ROOT / "gladia_live_client" / "testing" / "openapi.json"


def render(spec: dict[str, Any]) -> str:
    """The exact text of the copy: stable key order (the spec's own), one property per line for readable diffs."""
    return json.dumps(spec, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    expected = render(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    if "--check" in argv:
        if not COPY.is_file() or COPY.read_text(encoding="utf-8") != expected:
            print(f"{COPY.relative_to(ROOT)} is stale: run `python scripts/sync_testing_spec.py`", file=sys.stderr)
            return 1
        print(f"{COPY.relative_to(ROOT)} matches {SPEC.name}")
        return 0
    COPY.write_text(expected, encoding="utf-8")
    print(f"wrote {COPY.relative_to(ROOT)} from {SPEC.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
