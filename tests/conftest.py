"""Fixtures shared by every layer of the suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.upstream import REFERENCE

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Upstream's documents, kept verbatim in the repository (`reference/upstream/`)."""
    return REFERENCE


@pytest.fixture(scope="session")
def upstream(reference_dir: Path) -> dict[str, Any]:
    return json.loads((reference_dir / "gladia-openapi.json").read_text(encoding="utf-8"))
