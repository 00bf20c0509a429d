"""The request TypedDicts under mypy: a misspelt key or an unknown enum value is a type error, a right dict is not.

mypy (pinned in requirements/dev.txt) runs on snippet files as a user's code would be checked, with the
repository's cache so the package itself is not analysed again on every run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

GOOD = """
from gladia_live_client import GladiaLive
from gladia_live_client.models import StreamingSupportedEncodingEnum
from gladia_live_client.types import StreamingRequestDict

request: StreamingRequestDict = {
    "encoding": "wav/pcm",
    "sample_rate": 16000,
    "language_config": {"languages": ["en", "fr"], "code_switching": True},
    "realtime_processing": {"custom_vocabulary_config": {"vocabulary": ["Gladia", {"value": "SDK", "intensity": 0.5}]}},
    "messages_config": {"receive_partial_transcripts": True},
    "custom_metadata": {"anything": ["goes", 1]},
}
with GladiaLive(api_key="k") as gladia:
    gladia.init_session(request)
    gladia.init_session({"encoding": StreamingSupportedEncodingEnum.WAVALAW, "bit_depth": 8})
    gladia.init_session({"encoding": "wav/pcm"}, extra_body={"brand_new_option": True})
"""

# Each line that must be an error ends with `# error: <what mypy's message names>`. In a call, whose parameter also
# takes a model, mypy names the expected type rather than the key.
BAD = """
from gladia_live_client import AsyncGladiaLive, GladiaLive
from gladia_live_client.types import StreamingRequestDict

typo: StreamingRequestDict = {"encodnig": "wav/pcm"}  # error: encodnig
nested: StreamingRequestDict = {"language_config": {"languagez": ["en"]}}  # error: languagez
value: StreamingRequestDict = {"encoding": "wav/mp3"}  # error: wav/mp3
language: StreamingRequestDict = {"language_config": {"languages": ["english"]}}  # error: english


async def main() -> None:
    with GladiaLive(api_key="k") as gladia:
        gladia.init_session({"encodnig": "wav/pcm"})  # error: StreamingRequestDict
        gladia.live({"sample_rate": 16001})  # error: StreamingRequestDict
    async with AsyncGladiaLive(api_key="k") as agladia:
        await agladia.init_session({"post_processing": {"summarisation": True}})  # error: StreamingRequestDict
"""


def run_mypy(*files: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--hide-error-context", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.stdout


def test_mypy_accepts_a_right_dict_and_names_each_wrong_key_or_value(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")

    output = run_mypy(good, bad)

    errors: dict[int, list[str]] = {}
    for line in output.splitlines():
        match = re.match(r".*?(good|bad)\.py:(\d+): error: (.*)", line)
        assert match, line
        assert match[1] == "bad", f"a right request is an error: {line}"
        errors.setdefault(int(match[2]), []).append(match[3])
    expected = {
        number: marker.split("# error: ")[1]
        for number, marker in enumerate(BAD.splitlines(), start=1)
        if "# error: " in marker
    }
    assert set(errors) == set(expected), output
    for number, word in expected.items():
        assert any(word in message for message in errors[number]), (number, errors[number])
