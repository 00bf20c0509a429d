"""`gladia-live stream`: the committed recording through a local server, as a user runs it (a subprocess)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import testing
from tests._signals import interruptible
from tests.cli.conftest import (
    CLI,
    ROOT,
    SENTENCE,
    SERVER_KEY,
    SPEECH,
    assert_one_line_error,
    clean_env,
    run_cli,
    wav_audio,
    write_wav,
)

SESSION_LINE = re.compile(r"^Session\s+([0-9a-f-]{36})$", re.MULTILINE)
FINAL_LINE = re.compile(r"^\[(\d\d:\d\d\.\d) → (\d\d:\d\d\.\d)\] (.+)$", re.MULTILINE)


def _session_id(stdout: str) -> str:
    match = SESSION_LINE.search(stdout)
    assert match is not None, stdout
    return match.group(1)


def test_stream_prints_the_final_transcripts_and_a_summary(server: Any) -> None:
    result = run_cli("stream", SPEECH, "--fast", "--endpointing", "0.2", server=server)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "\x1b" not in result.stdout  # not a terminal: plain text, no escape codes
    job_id = _session_id(result.stdout)
    assert result.stdout.startswith(f"Streaming {SPEECH} (wav/pcm 16-bit 16000 Hz mono, 8.0 s) as fast as acknowledged")
    finals = FINAL_LINE.findall(result.stdout)
    # The server "hears" the words of the sentence in order: the transcript starts with the whole sentence.
    assert " ".join(text for _, _, text in finals).startswith(SENTENCE)
    starts = [start for start, _, _ in finals]
    assert starts == sorted(starts)
    summary = dict(re.findall(r"^(Audio|Utterances|Reconnections)\s+(.+)$", result.stdout, re.MULTILINE))
    assert summary["Utterances"] == str(len(finals))
    assert summary["Reconnections"] == "0"
    audio = wav_audio(SPEECH)
    assert summary["Audio"] == f"8.0 s acknowledged ({len(audio):,} of {len(audio):,} bytes)"
    # The session really carried the file: the server committed exactly its audio, in the file's format.
    assert server.committed_audio(job_id) == audio
    job = server.job(job_id)
    assert job["status"] == "done"
    assert job["request_params"]["endpointing"] == 0.2
    assert job["request_params"]["messages_config"]["receive_partial_transcripts"] is True
    assert job["result"]["transcription"]["full_transcript"] == " ".join(text for _, _, text in finals)


def test_stream_json_prints_every_message_as_one_json_object_per_line(server: Any) -> None:
    result = run_cli(
        "stream", SPEECH, "--fast", "--json", "--language", "en", "--metadata", '{"run": "json"}', server=server
    )

    assert result.returncode == 0, result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    types = [message["type"] for message in messages]
    assert types[0] == "start_session"
    assert types[-1] == "end_session"
    assert {"speech_start", "speech_end", "transcript", "post_final_transcript"} <= set(types)
    assert "audio_chunk" not in types  # acknowledgements only with --acks
    job_id = messages[0]["session_id"]
    finals = [m["data"]["utterance"]["text"] for m in messages if m["type"] == "transcript" and m["data"]["is_final"]]
    partials = [m for m in messages if m["type"] == "transcript" and not m["data"]["is_final"]]
    assert partials  # asked for by default
    job = server.job(job_id)
    assert " ".join(finals) == job["result"]["transcription"]["full_transcript"]
    assert job["custom_metadata"] == {"run": "json"}
    assert job["request_params"]["language_config"]["languages"] == ["en"]
    # Nothing secret in the output: neither the key nor the WebSocket URL's token.
    assert SERVER_KEY not in result.stdout
    assert "token" not in result.stdout


def test_stream_json_with_acks_includes_the_acknowledgements(server: Any) -> None:
    result = run_cli("stream", SPEECH, "--fast", "--json", "--acks", "--no-partials", server=server)

    assert result.returncode == 0, result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    acked = [m["data"]["byte_range"] for m in messages if m["type"] == "audio_chunk"]
    assert acked[0][0] == 0
    assert acked[-1][1] == len(wav_audio(SPEECH))
    assert any(m["type"] == "stop_recording" for m in messages)
    assert not any(m["type"] == "transcript" and not m["data"]["is_final"] for m in messages)


def test_a_dropped_connection_is_resumed_and_counted(server: Any) -> None:
    server.faults.ws_drop_after(64_000)  # the first connection dies after ~2 s of audio

    result = run_cli("stream", SPEECH, "--fast", server=server)

    assert result.returncode == 0, result.stderr
    job_id = _session_id(result.stdout)
    assert re.search(r"^Reconnections\s+1$", result.stdout, re.MULTILINE), result.stdout
    assert server.websocket_connections(job_id) == 2
    # A drop the session recovers from is logged at INFO: no note, no log record dump, no traceback.
    assert result.stderr == ""
    assert server.committed_audio(job_id) == wav_audio(SPEECH)


def test_missing_file(server: Any, tmp_path: Path) -> None:
    before = server.sessions_created()
    result = run_cli("stream", tmp_path / "nowhere.wav", server=server)

    assert_one_line_error(result, "nowhere.wav", "No such file")
    assert server.sessions_created() == before


def test_wav_of_a_format_gladia_does_not_take(server: Any, tmp_path: Path) -> None:
    before = server.sessions_created()
    odd_rate = run_cli("stream", write_wav(tmp_path / "cd.wav", rate=22050), server=server)
    assert_one_line_error(odd_rate, "cd.wav", "sample rate 22050 Hz", "sox")

    # IEEE float samples (format tag 3), which the wave module cannot write.
    data = bytes(3200)
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 64000, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    (tmp_path / "float.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    as_float = run_cli("stream", tmp_path / "float.wav", server=server)
    assert_one_line_error(as_float, "float.wav", "0x0003")

    (tmp_path / "notes.txt").write_text("not audio\n", encoding="utf-8")
    not_wav = run_cli("stream", tmp_path / "notes.txt", server=server)
    assert_one_line_error(not_wav, "notes.txt", "WAV")

    assert server.sessions_created() == before  # checked before any session is created


def test_bad_key_is_one_line_without_the_key(server: Any) -> None:
    wrong_key = "wrong-key-0123456789abcdef"
    result = run_cli("stream", SPEECH, "--fast", server=server, key=wrong_key)

    line = assert_one_line_error(result, "401", "gladia user not found", "--api-key")
    assert wrong_key not in result.stdout + result.stderr
    assert SERVER_KEY not in line


def test_network_down(closed_port_url: str) -> None:
    result = run_cli("stream", SPEECH, "--fast", GLADIA_API_URL=closed_port_url, GLADIA_API_KEY="some-key-123456")

    assert_one_line_error(result, "cannot reach", closed_port_url, "Connection refused")


def test_no_key_at_all(server: Any) -> None:
    result = run_cli("stream", SPEECH, "--base-url", server.base_url)

    assert_one_line_error(result, "no API key", "GLADIA_API_KEY")


def test_options_on_the_command_line_override_the_environment(server: Any, closed_port_url: str) -> None:
    result = run_cli(
        "--api-key",
        SERVER_KEY,
        "stream",
        SPEECH,
        "--fast",
        "--base-url",
        server.base_url,
        GLADIA_API_URL=closed_port_url,
        GLADIA_API_KEY="not-the-key-0000",
    )

    assert result.returncode == 0, result.stderr
    assert SERVER_KEY not in result.stdout + result.stderr


def test_without_rich_the_command_says_what_to_install() -> None:
    code = "import sys; sys.modules['rich'] = None\nfrom gladia_live_client.cli import main\nsys.exit(main(['--help']))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean_env(), capture_output=True, text=True, timeout=60, check=False
    )

    assert_one_line_error(result, "pip install 'gladia-live-client[cli]'")


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("gladia-live")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("gladia-live ")


def test_usage_errors_exit_2_with_argparse_usage() -> None:
    result = run_cli("stream")

    assert result.returncode == 2
    assert "the following arguments are required: FILE" in result.stderr
    assert "Traceback" not in result.stderr


def run_on_a_terminal(server: Any, columns: int, *args: str) -> str:
    """`gladia-live ARGS` with its stdout on a pseudo-terminal `columns` wide: all it wrote there."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = clean_env(
        GLADIA_API_URL=server.base_url,
        GLADIA_API_KEY=server.api_key,
        COLUMNS=str(columns),
        LINES="40",
        TERM="xterm",
    )
    process = subprocess.Popen([*CLI, *args], stdout=child, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    os.close(child)
    output = bytearray()
    try:
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
    finally:
        os.close(main)
        assert process.wait(timeout=120) == 0
        assert process.stderr is not None
        errors = process.stderr.read()
        process.stderr.close()
    assert errors == b""
    return output.decode()


def written_lines(text: str) -> list[str]:
    """The runs of characters written between two line starts (escape codes removed). rich moves the cursor
    only up and to the line's start, so a run longer than the terminal is one the terminal itself wrapped."""
    return re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text))


# A transcript line: a time range, or the blank column under it when an utterance goes on; then its words.
TRANSCRIPT_LINE = re.compile(r"^(?:\[\d\d:\d\d\.\d → \d\d:\d\d\.\d\]| {20}) (.*)$")


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_on_a_terminal_partials_update_in_place_above_one_progress_bar(server: Any, columns: int) -> None:
    text = run_on_a_terminal(server, columns, "stream", str(SPEECH), "--fast")

    lines = written_lines(text)
    assert max(len(line) for line in lines) <= columns  # rich wraps every line itself, the terminal never does
    session_id = _session_id("\n".join(line.rstrip() for line in lines))
    assert text.startswith("Streaming ")
    # The header names the session, whole on one line (on a line of its own if need be), as the summary does.
    assert sum(session_id in line for line in lines) == 2  # the header and the summary
    # Escape codes are checked raw: stripping them does not give the screen (the cursor moves between them).
    assert "\x1b[1A" in text  # the live region is redrawn in place (cursor up)
    partials = re.findall("\x1b\\[3m([^\x1b]+)\x1b\\[0m", text)  # partial transcripts are in italics
    assert partials, text
    assert all(partial.strip() in SENTENCE for partial in partials), partials
    # No word is cut across two lines: every word of every transcript line, partial or final, is a whole word.
    words = set(SENTENCE.split())
    transcript = [match.group(1) for line in lines if (match := TRANSCRIPT_LINE.match(line))]
    assert transcript
    assert {word for line in transcript for word in line.split()} <= words, transcript
    # The final transcripts: plain text after a dim time range, continued under their first word.
    finals = re.findall(
        "\x1b\\[2m\\[\\d\\d:\\d\\d\\.\\d → \\d\\d:\\d\\d\\.\\d\\]\x1b\\[0m\x1b\\[2m \x1b\\[0m"
        "([^\r\n\x1b]+)((?:\r\n\x1b\\[2m {20}\x1b\\[0m[^\r\n\x1b]+)*)",
        text,
    )
    utterances = [" ".join(re.sub(r"\x1b\[[0-9;]*m", "", first + rest).split()) for first, rest in finals]
    assert " ".join(dict.fromkeys(utterances)) == SENTENCE, finals
    if any(len("[00:00.0 → 00:00.0] " + utterance) > columns for utterance in utterances):
        assert any(rest for _, rest in finals)  # a long utterance did wrap, under its first word
    # One progress bar, as the acknowledgements kept up by the end; the finished bar in a named colour.
    bars = [line for line in lines if "━" in line]
    assert all(line.startswith("audio ") for line in bars), bars
    assert re.search(r"^audio ━+ 8\.0 / 8\.0 s *$", lines[[i for i, line in enumerate(lines) if "━" in line][-1]])
    assert "\x1b[32m━" in text  # green: not the grey of an empty bar on an 8-colour terminal
    assert "acknowledged ━" not in text
    assert re.search(r"^Reconnections\s+0", "\n".join(lines), re.MULTILINE)


STOPPING = "Ctrl-C: stopping the recording, waiting for the final transcripts (Ctrl-C again aborts)\n"


def _start_streaming(server: Any, *args: str) -> tuple[subprocess.Popen[str], str, str]:
    """`gladia-live stream demo/speech.wav` at real-time pace, once a final transcript has come: the process,
    its job id and the lines it printed."""
    env = clean_env(GLADIA_API_URL=server.base_url, GLADIA_API_KEY=server.api_key, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [*CLI, "stream", str(SPEECH), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **interruptible(),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Streaming "), first
        final = process.stdout.readline()
        assert FINAL_LINE.match(final)  # mid-session (real-time pace): a transcript came
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return process, first.rsplit(" ", 1)[-1].strip(), first + final


def _finish(process: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_ctrl_c_stops_the_session_with_one_line() -> None:
    # A second Ctrl-C while the final results are awaited aborts at once. The server takes its time with them.
    with testing.LocalGladiaServer(api_key=SERVER_KEY, transcript_script=[SENTENCE], processing_delay=30) as server:
        process, job_id, _ = _start_streaming(server)
        try:
            process.send_signal(signal.SIGINT)
            assert process.stderr is not None
            assert process.stderr.readline() == STOPPING
            process.send_signal(signal.SIGINT)
        finally:
            out, err = _finish(process)
        assert process.returncode == 130
        assert err == "error: interrupted\n"
        assert "Session" not in out  # no summary for an aborted session
        assert len(server.committed_audio(job_id)) < len(wav_audio(SPEECH))


@pytest.mark.parametrize(
    ("signum", "name", "status"), [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)]
)
def test_the_first_ctrl_c_stops_the_recording_and_prints_the_final_transcripts(
    server: Any, signum: int, name: str, status: int, tmp_path: Path
) -> None:
    output = tmp_path / "partial.srt"
    process, job_id, printed = _start_streaming(server, "--output", str(output))
    process.send_signal(signum)
    out, err = _finish(process)
    out = printed + out

    # 128 + the signal, as a shell reports an interrupted command: only part of the file was transcribed.
    assert process.returncode == status, err
    assert err == STOPPING.replace("Ctrl-C", name)
    committed = server.committed_audio(job_id)
    audio = wav_audio(SPEECH)
    assert 0 < len(committed) < len(audio)
    assert audio.startswith(committed)  # what was sent, whole, then nothing more
    job = server.job(job_id)
    assert job["status"] == "done"  # stop_recording was sent: the job did not wait for the idle timeout
    finals = [text for _, _, text in FINAL_LINE.findall(out)]
    assert finals
    assert job["result"]["transcription"]["full_transcript"] == " ".join(finals)
    summary = dict(re.findall(r"^(Utterances|Stopped|Written)\s+(.+)$", out, re.MULTILINE))
    assert summary["Utterances"] == str(len(finals))
    assert re.fullmatch(rf"by {name}, after \d+\.\d s of audio", summary["Stopped"]), summary
    assert summary["Written"] == f"{output} (srt, {len(finals)} utterances)"


def test_a_refused_websocket_is_one_line_without_the_token(server: Any) -> None:
    server.faults.ws_refuse_handshake()

    result = run_cli("stream", SPEECH, "--fast", server=server)

    line = assert_one_line_error(result, "live session failed", "403")
    assert "token" not in line  # the WebSocket URL (and its token) is never printed


def test_a_second_signal_during_the_first_ones_note_aborts_after_the_note() -> None:
    from gladia_live_client.cli._stream import _StopOnSignal

    notes: list[str] = []

    def on_first(signum: int) -> None:
        notes.append("start")
        stopper._handle(signal.SIGINT, None)  # the second Ctrl-C, delivered while the note is being written
        notes.append("end")

    stopper = _StopOnSignal(on_first)
    with pytest.raises(KeyboardInterrupt):
        stopper._handle(signal.SIGINT, None)
    assert notes == ["start", "end"]  # the note was written whole, once, before the abort
    assert stopper.received == signal.SIGINT
    with pytest.raises(KeyboardInterrupt):
        stopper._handle(signal.SIGINT, None)  # a later one aborts at once


def test_the_progress_bar_shows_the_audio_sent_only_while_acknowledgements_lag() -> None:
    from rich.progress import Progress

    from gladia_live_client.cli._stream import _SecondsColumn

    rate = 32000
    column = _SecondsColumn(rate)
    progress = Progress(column)
    task_id = progress.add_task("audio", total=8 * rate, completed=4 * rate, sent=int(4.9 * rate))
    task = progress.tasks[0]
    assert column.render(task).plain == "4.0 / 8.0 s"  # a lag under a second: a round trip, not shown
    progress.update(task_id, sent=6 * rate)
    assert column.render(task).plain == "4.0 / 8.0 s (6.0 s sent)"
    progress.update(task_id, completed=8 * rate, sent=8 * rate)
    assert column.render(task).plain == "8.0 / 8.0 s"
