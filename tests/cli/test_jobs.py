"""`gladia-live jobs ...` against the local server, each command run as a subprocess."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import GladiaLive
from tests.cli.conftest import SENTENCE, SERVER_KEY, SPEECH, assert_one_line_error, run_cli, wav_audio

UNKNOWN_ID = "0b5e4bde-2f0e-4a43-9d56-1c1c0e0e0e0e"


def finished_job(gladia: GladiaLive, metadata: dict[str, Any], audio: bytes = b"") -> str:
    """A job that is done: a session created with `metadata`, fed `audio` (default: silence) and ended."""
    request = {"custom_metadata": metadata, "messages_config": {"receive_lifecycle_events": True}}
    with gladia.live(request) as session:
        session.send_audio(audio or bytes(3200))
    assert session.session_id is not None
    return session.session_id


@pytest.fixture
def tag() -> dict[str, str]:
    """Custom metadata unique to the test, so the module's shared server never mixes tests' jobs."""
    return {"test": uuid.uuid4().hex}


def test_list_shows_a_table_of_the_matching_jobs(server: Any, gladia: GladiaLive, tag: dict[str, str]) -> None:
    ids = [finished_job(gladia, tag) for _ in range(3)]
    queued = gladia.init_session({"custom_metadata": tag})

    result = run_cli("jobs", "list", "--metadata", json.dumps(tag), server=server)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "CREATED", "AUDIO", "METADATA"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:-1]}
    assert rows == {**dict.fromkeys(ids, "done"), str(queued.id): "queued"}
    assert lines[1].split()[0] == str(queued.id)  # newest first
    assert lines[-1] == "4 jobs"
    assert json.dumps(tag, separators=(",", ":")) in lines[1]

    only_done = run_cli("jobs", "list", "--metadata", json.dumps(tag), "--status", "done", "--json", server=server)
    assert only_done.returncode == 0, only_done.stderr
    listed = [json.loads(line) for line in only_done.stdout.splitlines()]
    assert sorted(job["id"] for job in listed) == sorted(ids)
    assert {job["status"] for job in listed} == {"done"}


def test_list_pages_and_all(server: Any, gladia: GladiaLive, tag: dict[str, str]) -> None:
    ids = [finished_job(gladia, tag) for _ in range(3)]

    first = run_cli("jobs", "list", "--metadata", json.dumps(tag), "--limit", "2", server=server)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "2 jobs; more with --offset 2 or --all"

    second = run_cli("jobs", "list", "--metadata", json.dumps(tag), "--limit", "2", "--offset", "2", server=server)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == "1 job"

    every = run_cli("jobs", "list", "--metadata", json.dumps(tag), "--limit", "2", "--all", "--json", server=server)
    assert every.returncode == 0, every.stderr
    assert sorted(json.loads(line)["id"] for line in every.stdout.splitlines()) == sorted(ids)

    none = run_cli("jobs", "list", "--metadata", json.dumps({"test": "nothing"}), server=server)
    assert none.returncode == 0
    assert none.stdout == "No jobs.\n"


def test_list_rejects_a_naive_time_in_one_line(server: Any) -> None:
    result = run_cli("jobs", "list", "--before", "2026-01-01T00:00:00", server=server)

    assert_one_line_error(result, "before_date")


def test_get_reads_and_json(server: Any, gladia: GladiaLive, tag: dict[str, str]) -> None:
    job_id = finished_job(gladia, tag, wav_audio(SPEECH))

    readable = run_cli("jobs", "get", job_id, server=server)
    assert readable.returncode == 0, readable.stderr
    fields = dict(line.split(None, 1) for line in readable.stdout.splitlines()[:9] if line.strip())
    assert fields["ID"] == job_id
    assert fields["Status"] == "done"
    assert fields["Audio"] == "8.0 s"
    assert fields["Metadata"] == json.dumps(tag, separators=(",", ":"))
    transcript = readable.stdout.split("\nTranscript\n", 1)[1].strip()
    assert transcript.startswith(SENTENCE)
    assert transcript == server.job(job_id)["result"]["transcription"]["full_transcript"]

    as_json = run_cli("jobs", "get", job_id, "--json", server=server)
    assert as_json.returncode == 0, as_json.stderr
    job = json.loads(as_json.stdout)
    expected = server.job(job_id)
    assert (job["id"], job["status"], job["custom_metadata"]) == (expected["id"], "done", tag)
    assert job["result"]["transcription"] == expected["result"]["transcription"]


def test_patch_from_a_file_and_inline(server: Any, gladia: GladiaLive, tag: dict[str, str], tmp_path: Path) -> None:
    job_id = finished_job(gladia, tag)
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"mic": "usb", "gain": 3, "notes": ["café"]}), encoding="utf-8")

    result = run_cli("jobs", "patch", job_id, "--file", meta, server=server)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Patched job {job_id}: post_session_metadata set (keys: gain, mic, notes).\n"
    assert server.job(job_id)["post_session_metadata"] == {"mic": "usb", "gain": 3, "notes": ["café"]}

    inline = run_cli("jobs", "patch", job_id, "--data", '{"second": true}', server=server)
    assert inline.returncode == 0, inline.stderr
    assert server.job(job_id)["post_session_metadata"] == {"second": True}
    shown = run_cli("jobs", "get", job_id, server=server)
    assert 'Post-session  {"second":true}' in shown.stdout


def test_patch_errors_are_one_line(server: Any, gladia: GladiaLive, tag: dict[str, str], tmp_path: Path) -> None:
    job_id = finished_job(gladia, tag)
    broken = tmp_path / "broken.json"
    broken.write_text('{"mic": ', encoding="utf-8")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")

    assert_one_line_error(run_cli("jobs", "patch", job_id, "--file", broken, server=server), "broken.json", "JSON")
    assert_one_line_error(run_cli("jobs", "patch", job_id, "--file", listed, server=server), "JSON object")
    missing = run_cli("jobs", "patch", job_id, "--file", tmp_path / "absent.json", server=server)
    assert_one_line_error(missing, "absent.json", "No such file")
    assert server.job(job_id)["post_session_metadata"] == {}


def test_download_writes_the_recording(server: Any, gladia: GladiaLive, tag: dict[str, str], tmp_path: Path) -> None:
    audio = wav_audio(SPEECH)
    job_id = finished_job(gladia, tag, audio)
    output = tmp_path / "out.wav"

    result = run_cli("jobs", "download", job_id, "-o", output, server=server)

    assert result.returncode == 0, result.stderr
    assert wav_audio(output) == audio
    size = output.stat().st_size
    assert result.stdout == f"Saved {size:,} bytes (8.0 s of wav/pcm 16-bit 16000 Hz mono) to {output}\n"

    default_name = run_cli("jobs", "download", job_id, server=server, cwd=tmp_path)
    assert default_name.returncode == 0, default_name.stderr
    assert (tmp_path / f"{job_id}.wav").read_bytes() == output.read_bytes()


def test_delete_removes_the_job(server: Any, gladia: GladiaLive, tag: dict[str, str]) -> None:
    job_id = finished_job(gladia, tag)

    result = run_cli("jobs", "delete", job_id, server=server)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Deleted job {job_id}.\n"
    with pytest.raises(KeyError):
        server.job(job_id)


def test_deleting_a_job_not_yet_processed_is_refused(server: Any, gladia: GladiaLive) -> None:
    queued = gladia.init_session({})

    result = run_cli("jobs", "delete", str(queued.id), server=server)

    assert_one_line_error(result, "403")
    assert server.job(str(queued.id))["status"] == "queued"


@pytest.mark.parametrize(
    "command",
    [["get", UNKNOWN_ID], ["delete", UNKNOWN_ID], ["patch", UNKNOWN_ID, "--data", "{}"], ["download", UNKNOWN_ID]],
    ids=["get", "delete", "patch", "download"],
)
def test_not_found(server: Any, command: list[str], tmp_path: Path) -> None:
    result = run_cli("jobs", *command, server=server, cwd=tmp_path)

    assert_one_line_error(result, "404", UNKNOWN_ID)
    assert list(tmp_path.iterdir()) == []  # a failed download leaves no file, not even a partial one


def test_bad_key(server: Any) -> None:
    wrong_key = "wrong-key-fedcba9876543210"
    result = run_cli("jobs", "list", server=server, key=wrong_key)

    assert_one_line_error(result, "401", "--api-key")
    assert wrong_key not in result.stderr
    assert SERVER_KEY not in result.stderr


def test_network_down(closed_port_url: str) -> None:
    result = run_cli("jobs", "get", UNKNOWN_ID, "--base-url", closed_port_url, "--api-key", "some-key-123456")

    assert_one_line_error(result, "cannot reach", closed_port_url)
