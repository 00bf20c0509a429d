"""`make demo`: its script runs every step against a local server and prints the committed recording's transcript."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.cli.conftest import ROOT, SENTENCE, clean_env


def test_the_demo_script_runs_every_step_and_prints_the_transcript() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/demo.py", "--fast", "--local"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    steps = re.findall(r"^=== (\d+)\. .*\n\$ gladia-live (\S+(?: \S+)?)", out, re.MULTILINE)
    assert [command for _, command in steps] == [
        "stream demo/speech.wav",
        "jobs list",
        "jobs get",
        "jobs patch",
        "jobs get",
        "jobs download",
        "jobs delete",
        "jobs get",
    ]
    # The transcript of the committed recording, live (final lines) and from the job.
    assert re.search(r"^\[00:00\.\d → \d\d:\d\d\.\d\] Hello from the local Gladia server\.", out, re.MULTILINE)
    assert f"Transcript\n{SENTENCE}\n" in out, "the transcript is the sentence, no more, no less"
    assert "The recording holds exactly the audio of demo/speech.wav: yes" in out
    assert out.rstrip().endswith(
        "Demo complete: one live session streamed and transcribed, its job listed, shown, patched, downloaded and deleted."
    )
    # The last step shows the deleted job is gone; the server was stopped at the end.
    assert re.search(r"^error: 404 Not Found: live job '[0-9a-f-]{36}' not found", result.stderr, re.MULTILINE)
    assert result.stderr.rstrip().endswith("Local Gladia server stopped")
    assert "Traceback" not in result.stderr
