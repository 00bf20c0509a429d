"""Check what `make dist` built: one sdist and one wheel, the sdist complete, the wheel's metadata ready for PyPI.

    python scripts/check_dist.py dist/

The sdist must hold every file git tracks (so it can regenerate and test the project, not just install it);
the wheel must hold the package's data files and the license, and its description must read well on PyPI:
no relative links, which would be dead there. `twine check --strict` (run before this) checks the rendering.
"""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL_MUST_HOLD = (
    "gladia_live_client/py.typed",
    "gladia_live_client/_generated/openapi.json",
    "gladia_live_client/testing/README.md",
)
# Links in Markdown: [text](target); a target without a scheme is relative to a checkout that PyPI lacks.
LINK = re.compile(r"\]\(([^)\s]+)\)")


def tracked_files() -> set[str]:
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(listing.splitlines())


def sdist_problems(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        # Members are "<name>-<version>/<path>".
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    return [f"the sdist lacks {name}" for name in sorted(tracked_files() - members)]


def wheel_problems(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(metadata_name))
    problems = [f"the wheel lacks {name}" for name in WHEEL_MUST_HOLD if name not in names]
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        problems.append("the wheel lacks its LICENSE")
    if any(name.startswith("tests/") for name in names):
        problems.append("the wheel holds the test suite")
    classifiers = metadata.get_all("Classifier") or []
    if "Typing :: Typed" not in classifiers:
        problems.append("the wheel's metadata lacks the classifier Typing :: Typed")
    if metadata.get("Description-Content-Type") != "text/markdown":
        problems.append(f"the description's content type is {metadata.get('Description-Content-Type')!r}")
    description = metadata.get_payload()
    assert isinstance(description, str)
    problems += [
        f"the description links to {target!r}, which is relative and dead on PyPI"
        for target in LINK.findall(description)
        if not re.match(r"[a-z]+://", target)
    ]
    return problems


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "dist"
    sdists, wheels = sorted(folder.glob("*.tar.gz")), sorted(folder.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        print(f"expected one sdist and one wheel in {folder}, found {sdists + wheels}", file=sys.stderr)
        return 1
    problems = sdist_problems(sdists[0]) + wheel_problems(wheels[0])
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{sdists[0].name} and {wheels[0].name}: complete")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
