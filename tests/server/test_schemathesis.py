"""Schemathesis against the local server with openapi.yaml: positive, negative and stateful, zero failures.

Runs the pinned schemathesis CLI (every phase: examples, coverage, fuzzing, stateful; every check but the ones
`schemathesis.toml` turns off, each with its reason) against a server in this process. The default run is
short and seeded so `make test` stays fast and repeatable; a longer, randomly seeded run:

    GLADIA_SCHEMATHESIS_EXAMPLES=500 GLADIA_SCHEMATHESIS_SEED=random .venv/bin/pytest tests/server/test_schemathesis.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from gladia_live_client.testing import LocalGladiaServer
from tests.conftest import ROOT, SPEC_PATH

from .conftest import API_KEY

HERE = Path(__file__).resolve().parent
EXAMPLES = os.environ.get("GLADIA_SCHEMATHESIS_EXAMPLES", "20")
SEED = os.environ.get("GLADIA_SCHEMATHESIS_SEED", "20261125")


def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    with LocalGladiaServer(api_key=API_KEY) as server:
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            str(SPEC_PATH),
            "--url",
            server.base_url,
            "--header",
            f"x-gladia-key: {API_KEY}",
            "--max-examples",
            EXAMPLES,
            "--generation-database",
            "none",
            "--report",
            "json",
            "--report-dir",
            str(tmp_path),
            "--no-color",
        ]
        if SEED != "random":
            command += ["--seed", SEED]
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.server.schemathesis_hooks", "NO_COLOR": "1"}
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
        served = {operation: server.request_count(operation) for operation in ("init_session", "get_job", "delete_job")}
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    (report_path,) = tmp_path.glob("*.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["failures"] == [], output
    assert report["errors"] == [], output
    assert report["operations"]["tested"] == 6, output
    assert {name: phase["status"] for name, phase in report["phases"].items()} == {
        "examples": "success",
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }, output
    # The stateful phase followed the links from the POST response to every operation on a job.
    links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", output)
    assert links is not None, output
    assert int(links.group(1)) >= 4, output
    # The requests reached the server (not, say, a proxy or another port).
    assert all(count > 0 for count in served.values()), served
