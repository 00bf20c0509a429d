"""Final utterances as text, SRT subtitles, WebVTT subtitles or JSON lines (``gladia-live stream --output``).

The functions here are pure: an utterance (the ``data.utterance`` of a final ``transcript`` message) in, text
out. Times are the API's own (``utterance.start`` and ``utterance.end``, seconds of audio from the start of
the session). `TranscriptFile` writes them as they come, one cue at a time, so that a file stays complete up
to the last final utterance even if the session ends early.

- ``txt``: one line per utterance, its text only;
- ``srt``: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``;
- ``vtt``: a ``WEBVTT`` header then cues, ``HH:MM:SS.mmm --> HH:MM:SS.mmm``, speakers as voice spans
  (``<v Speaker 1>``), ``&``, ``<`` and ``>`` escaped;
- ``json``: JSON Lines, one utterance object per line, as the API sent it (words and confidences included).

An utterance with no text gives no cue (a subtitle cannot be empty) but does give its JSON line. With several
speakers or channels, a cue starts with who speaks (``Speaker 1:``, ``Channel 2:``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import TracebackType
from typing import IO

from ..models import TranscriptMessage, UtteranceDTO
from ..types import Unset
from ._errors import CLIError

__all__ = [
    "FORMATS",
    "TranscriptFile",
    "format_for_path",
    "json_line",
    "speaker_label",
    "srt_cue",
    "srt_timestamp",
    "text_line",
    "vtt_cue",
    "vtt_timestamp",
]

FORMATS = ("txt", "srt", "vtt", "json")
_SUFFIXES = {".txt": "txt", ".srt": "srt", ".vtt": "vtt", ".json": "json", ".jsonl": "json"}
_WHITESPACE = re.compile(r"\s+")
VTT_HEADER = "WEBVTT\n\n"


def format_for_path(path: Path) -> str:
    """The format a file name asks for (``.srt``, ``.vtt``, ``.json``/``.jsonl``); ``txt`` for any other."""
    return _SUFFIXES.get(path.suffix.lower(), "txt")


def _milliseconds(seconds: float) -> tuple[int, int, int, int]:
    total = max(0, round(seconds * 1000))
    hours, rest = divmod(total, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return hours, minutes, whole, millis


def srt_timestamp(seconds: float) -> str:
    """``HH:MM:SS,mmm`` (hours keep growing past 99)."""
    hours, minutes, whole, millis = _milliseconds(seconds)
    return f"{hours:02d}:{minutes:02d}:{whole:02d},{millis:03d}"


def vtt_timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm``."""
    hours, minutes, whole, millis = _milliseconds(seconds)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}.{millis:03d}"


def _span(utterance: UtteranceDTO) -> tuple[float, float]:
    # A cue may not end before it starts; the API's times are kept otherwise, to the millisecond.
    start = max(0.0, utterance.start)
    return start, max(start, utterance.end)


def _text(utterance: UtteranceDTO) -> str:
    # One line per cue: a line break inside a cue's text would end an SRT cue early.
    return _WHITESPACE.sub(" ", utterance.text).strip()


def speaker_label(utterance: UtteranceDTO, *, channels: int = 1) -> str | None:
    """Who speaks, when it is worth saying: ``Speaker N`` when diarized, ``Channel N`` with several channels."""
    if not isinstance(utterance.speaker, Unset):
        return f"Speaker {utterance.speaker}"
    if channels > 1:
        return f"Channel {utterance.channel}"
    return None


def text_line(utterance: UtteranceDTO, *, channels: int = 1) -> str | None:
    """The utterance as one line of plain text (``None`` when it holds no text)."""
    text = _text(utterance)
    if not text:
        return None
    label = speaker_label(utterance, channels=channels)
    return f"{label}: {text}\n" if label else f"{text}\n"


def srt_cue(index: int, utterance: UtteranceDTO, *, channels: int = 1) -> str | None:
    """SubRip cue number `index` (from 1), blank line included (``None`` when the utterance holds no text)."""
    line = text_line(utterance, channels=channels)
    if line is None:
        return None
    start, end = _span(utterance)
    return f"{index}\n{srt_timestamp(start)} --> {srt_timestamp(end)}\n{line}\n"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_cue(utterance: UtteranceDTO, *, channels: int = 1) -> str | None:
    """WebVTT cue, blank line included (``None`` when the utterance holds no text); see `VTT_HEADER`."""
    text = _text(utterance)
    if not text:
        return None
    start, end = _span(utterance)
    label = speaker_label(utterance, channels=channels)
    # A voice span's annotation ends at ">": the label itself never holds one.
    payload = f"<v {label}>{_vtt_escape(text)}" if label else _vtt_escape(text)
    return f"{vtt_timestamp(start)} --> {vtt_timestamp(end)}\n{payload}\n\n"


def json_line(utterance: UtteranceDTO) -> str:
    """The utterance as the API sent it, as one line of JSON."""
    return json.dumps(utterance.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


class TranscriptFile:
    """Writes the final utterances of a session to `path` in `format`, each one as soon as it arrives.

    The file is created (or truncated) when opened, so a path that cannot be written fails before any audio
    is sent. Use as a context manager; `add` ignores partial transcripts.
    """

    def __init__(self, path: Path, format: str, *, channels: int = 1) -> None:
        if format not in FORMATS:
            raise CLIError(f"unknown transcript format {format!r}: expected one of {', '.join(FORMATS)}")
        self.path = path
        self.format = format
        self.utterances = 0
        self._channels = channels
        self._cues = 0
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="\n")
        if format == "vtt":
            self._write(VTT_HEADER)

    def __enter__(self) -> TranscriptFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def add(self, message: TranscriptMessage) -> None:
        """Write `message`'s utterance if it is final."""
        if not message.data.is_final:
            return
        utterance = message.data.utterance
        self.utterances += 1
        if self.format == "json":
            self._write(json_line(utterance))
            return
        if self.format == "txt":
            self._write(text_line(utterance, channels=self._channels))
        elif self.format == "vtt":
            self._write(vtt_cue(utterance, channels=self._channels))
        else:
            cue = srt_cue(self._cues + 1, utterance, channels=self._channels)
            if cue is not None:
                self._cues += 1
            self._write(cue)

    def _write(self, text: str | None) -> None:
        if text is not None:
            self._file.write(text)
            self._file.flush()
