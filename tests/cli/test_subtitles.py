"""Final utterances as text, SRT, WebVTT and JSON lines: the pure functions, then `stream --output` end to end.

The files are read back with `srt` and `webvtt-py`, well-kept parsers from PyPI, not with this package's code.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
import srt
import webvtt

from gladia_live_client.cli._subtitles import (
    TranscriptFile,
    format_for_path,
    json_line,
    srt_cue,
    srt_timestamp,
    text_line,
    vtt_cue,
    vtt_timestamp,
)
from gladia_live_client.models import TranscriptMessage, UtteranceDTO
from tests.cli.conftest import SENTENCE, SPEECH, run_cli


def _utterance(start: float, end: float, text: str, **extra: Any) -> UtteranceDTO:
    body = {"start": start, "end": end, "confidence": 0.9, "channel": 0, "words": [], "text": text, "language": "en"}
    return UtteranceDTO.from_dict({**body, **extra})


def _message(utterance: UtteranceDTO, *, is_final: bool = True) -> TranscriptMessage:
    return TranscriptMessage.from_dict(
        {
            "session_id": "5f0c9a56-5f3e-4b61-9b4e-2f1d3c0a9e11",
            "created_at": "2024-01-01T00:00:00.000Z",
            "type": "transcript",
            "data": {"id": "00-00000001", "is_final": is_final, "utterance": utterance.to_dict()},
        }
    )


def test_timestamps() -> None:
    assert srt_timestamp(0) == "00:00:00,000"
    assert srt_timestamp(3723.4567) == "01:02:03,457"
    assert vtt_timestamp(59.9996) == "00:01:00.000"
    assert vtt_timestamp(-0.2) == "00:00:00.000"
    assert srt_timestamp(100 * 3600 + 1.5) == "100:00:01,500"


def test_cues_are_one_line_and_escaped_where_the_format_needs_it() -> None:
    utterance = _utterance(1.25, 2.5, "  Tom & Jerry\n<laugh>  ")
    assert srt_cue(3, utterance) == "3\n00:00:01,250 --> 00:00:02,500\nTom & Jerry <laugh>\n\n"
    assert vtt_cue(utterance) == "00:00:01.250 --> 00:00:02.500\nTom &amp; Jerry &lt;laugh&gt;\n\n"
    assert text_line(utterance) == "Tom & Jerry <laugh>\n"


def test_speakers_and_channels_are_named() -> None:
    diarized = _utterance(0, 1, "Hi.", speaker=1)
    assert text_line(diarized) == "Speaker 1: Hi.\n"
    assert vtt_cue(diarized) == "00:00:00.000 --> 00:00:01.000\n<v Speaker 1>Hi.\n\n"
    second_channel = _utterance(0, 1, "Hi.", channel=1)
    assert text_line(second_channel) == "Hi.\n"
    assert text_line(second_channel, channels=2) == "Channel 1: Hi.\n"


def test_an_empty_utterance_gives_no_cue_but_its_json_line() -> None:
    empty = _utterance(1, 2, "   ")
    assert srt_cue(1, empty) is None
    assert vtt_cue(empty) is None
    assert text_line(empty) is None
    assert json.loads(json_line(empty))["text"] == "   "


def test_a_cue_never_ends_before_it_starts() -> None:
    assert srt_cue(1, _utterance(2.0, 1.5, "x")) == "1\n00:00:02,000 --> 00:00:02,000\nx\n\n"


def test_format_from_the_file_name() -> None:
    assert [format_for_path(Path(name)) for name in ("a.SRT", "a.vtt", "a.json", "a.jsonl", "a.md", "a")] == [
        "srt",
        "vtt",
        "json",
        "json",
        "txt",
        "txt",
    ]


@pytest.mark.parametrize("format", ["srt", "vtt"])
def test_subtitle_files_parse_with_the_reference_parsers(tmp_path: Path, format: str) -> None:
    utterances = [_utterance(0.06, 1.78, "Hello."), _utterance(1.9, 1.9, ""), _utterance(2.14, 4.961, "A & <b>")]
    path = tmp_path / f"out.{format}"
    with TranscriptFile(path, format) as output:
        output.add(_message(_utterance(0, 1, "partial"), is_final=False))  # partials are not written
        for utterance in utterances:
            output.add(_message(utterance))
    assert output.utterances == 3
    cues = _parse(path, format)
    assert cues == [(0.06, 1.78, "Hello."), (2.14, 4.961, "A & <b>")]


def test_vtt_voices_are_the_speakers(tmp_path: Path) -> None:
    path = tmp_path / "out.vtt"
    with TranscriptFile(path, "vtt") as output:
        output.add(_message(_utterance(0, 1, "Hi.", speaker=0)))
        output.add(_message(_utterance(1, 2, "Hello.", speaker=1)))
    assert [(c.voice, c.text) for c in webvtt.read(str(path))] == [("Speaker 0", "Hi."), ("Speaker 1", "Hello.")]


def _parse(path: Path, format: str) -> list[tuple[float, float, str]]:
    text = path.read_text(encoding="utf-8")
    if format == "srt":
        subtitles = list(srt.parse(text, ignore_errors=False))
        assert [subtitle.index for subtitle in subtitles] == list(range(1, len(subtitles) + 1))
        return [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subtitles]
    captions = webvtt.read(str(path))
    # webvtt-py strips the cue tags (voice spans) but leaves the character references as written
    return [(c.start_in_seconds + c.start_time.milliseconds / 1000, _end(c), html.unescape(c.text)) for c in captions]


def _end(caption: Any) -> float:
    return float(caption.end_in_seconds + caption.end_time.milliseconds / 1000)


def _finals(stdout: str) -> list[dict[str, Any]]:
    messages = [json.loads(line) for line in stdout.splitlines()]
    return [m["data"]["utterance"] for m in messages if m["type"] == "transcript" and m["data"]["is_final"]]


@pytest.mark.parametrize("format", ["srt", "vtt"])
def test_stream_output_subtitles_match_the_final_utterances(server: Any, tmp_path: Path, format: str) -> None:
    path = tmp_path / f"speech.{format}"

    result = run_cli("stream", SPEECH, "--fast", "--json", "--output", path, server=server)

    assert result.returncode == 0, result.stderr
    finals = _finals(result.stdout)
    assert len(finals) >= 2
    expected = [(round(u["start"], 3), round(u["end"], 3), u["text"].strip()) for u in finals]
    assert [(round(a, 3), round(b, 3), text) for a, b, text in _parse(path, format)] == expected


def test_stream_output_text_and_json_next_to_the_display(server: Any, tmp_path: Path) -> None:
    text_path, json_path = tmp_path / "speech.out", tmp_path / "speech.jsonl"

    with_text = run_cli("stream", SPEECH, "--fast", "-o", text_path, "--format", "txt", server=server)
    with_json = run_cli("stream", SPEECH, "--fast", "--json", "--output", json_path, server=server)

    assert with_text.returncode == 0, with_text.stderr
    assert with_json.returncode == 0, with_json.stderr
    lines = text_path.read_text(encoding="utf-8").splitlines()
    assert " ".join(lines) == SENTENCE
    # the display went on as usual: the same finals on stdout, and the summary names the file
    assert all(f"] {line}" in with_text.stdout for line in lines)
    assert f"Written        {text_path} (txt, {len(lines)} utterances)" in with_text.stdout
    written = [json.loads(line) for line in json_path.read_text(encoding="utf-8").splitlines()]
    assert written == _finals(with_json.stdout)


def test_format_without_output_is_a_usage_error(server: Any) -> None:
    result = run_cli("stream", SPEECH, "--format", "srt", server=server)
    assert result.returncode == 1
    assert result.stderr == "error: --format needs --output FILE\n"


def test_an_output_that_cannot_be_written_fails_before_any_session(server: Any, tmp_path: Path) -> None:
    sessions_before = server.sessions_created()
    result = run_cli("stream", SPEECH, "--output", tmp_path / "missing" / "x.srt", server=server)
    assert result.returncode == 1
    assert "missing/x.srt" in result.stderr
    assert server.sessions_created() == sessions_before
