"""The fake speech recogniser: an energy voice-activity detector over real PCM, and words from a script.

Time is audio time (seconds of audio received), never wall-clock time, so a session produces the same events
however fast its audio arrives. The audio is cut into 20 ms windows; a window is voiced when the mean absolute
amplitude of its channel reaches the speech level. Each channel is detected on its own:

- speech starts after two voiced windows in a row (`speech_start` at the first one);
- it ends once the silence after the last voiced window lasts `endpointing` seconds (`speech_end` at the end
  of the last voiced window, then the final transcript of the utterance);
- an utterance longer than `maximum_duration_without_endpointing` is made final there and a new one goes on;
- partial transcripts (when asked for) come every 0.5 s of speech.

An utterance of d seconds holds max(1, round(d / 0.3)) words, spread evenly over it, taken in order from the
script (each channel reads the script from its start and cycles through it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._audio import ServerAudioFormat

__all__ = [
    "DEFAULT_SCRIPT",
    "Recognizer",
    "SpeechEvent",
    "TranscriptEvent",
    "speech_level",
]

DEFAULT_SCRIPT: tuple[str, ...] = (
    "Hello and welcome to this Gladia live session.",
    "The quick brown fox jumps over the lazy dog.",
    "We are testing real time transcription from Paris today.",
    "Every word you read here comes from a fixed script.",
)
WINDOW_SECONDS = 0.02
WORD_SECONDS = 0.3
PARTIAL_SECONDS = 0.5
MIN_SPEECH_WINDOWS = 2
CONFIDENCE = 0.95
_PUNCTUATION = re.compile(r"^\W+|\W+$")


def speech_level(speech_threshold: float) -> float:
    """Mean absolute amplitude (0..1) from which a window is voiced, for `pre_processing.speech_threshold`.

    0.6 (the default) gives 0.02 (about -34 dBFS); 0 gives 0.002 and 1 gives 0.032.
    """
    return 0.002 + 0.03 * speech_threshold


@dataclass(frozen=True, slots=True)
class SpeechEvent:
    kind: str  # "speech_start" or "speech_end"
    channel: int
    time: float


@dataclass(frozen=True, slots=True)
class TranscriptEvent:
    utterance_id: str
    is_final: bool
    utterance: dict[str, Any]


Event = SpeechEvent | TranscriptEvent


@dataclass(slots=True)
class _Channel:
    index: int
    cursor: int = 0  # next script word
    voiced_run: int = 0
    candidate_start: float = 0.0
    in_speech: bool = False
    utterance_id: str = ""
    start: float = 0.0
    last_voiced_end: float = 0.0
    silence: int = 0  # unvoiced windows since the last voiced one
    next_partial: float = 0.0
    shown_words: int = 0  # words already shown by partials of the current utterance
    events: list[Event] = field(default_factory=list)


def _respell(words: Sequence[str], spelling: Mapping[str, Sequence[str]] | None) -> list[str]:
    if not spelling:
        return list(words)
    variants = {variant.lower(): correct for correct, forms in spelling.items() for variant in forms}
    respelled = []
    for word in words:
        core = _PUNCTUATION.sub("", word)
        correct = variants.get(core.lower())
        respelled.append(word.replace(core, correct) if correct is not None and core else word)
    return respelled


class Recognizer:
    """Turns a session's committed audio into speech events and transcripts (see the module docstring)."""

    def __init__(
        self,
        audio_format: ServerAudioFormat,
        script: Sequence[str],
        *,
        endpointing: float,
        max_without_endpointing: float,
        speech_threshold: float,
        language: str,
        partials: bool,
        spelling: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        words = [word for line in script for word in line.split()]
        if not words:
            raise ValueError("the transcript script holds no words")
        self._words = _respell(words, spelling)
        self._format = audio_format
        self._window_bytes = max(1, round(audio_format.sample_rate * WINDOW_SECONDS)) * audio_format.frame_size
        self._window_seconds = audio_format.seconds(self._window_bytes)
        # Compare in whole windows so float drift never shifts an endpoint by one window.
        self._endpoint_windows = max(1, round(endpointing / self._window_seconds))
        self._max_utterance = max_without_endpointing
        self._level = speech_level(speech_threshold)
        self._language = language
        self._partials = partials
        self._channels = [_Channel(index) for index in range(audio_format.channels)]
        self._pending = bytearray()
        self._windows = 0
        self._utterances = 0

    @property
    def language(self) -> str:
        return self._language

    def feed(self, data: bytes | memoryview) -> list[Event]:
        """Analyse more committed audio; returns the events it completes, in time order."""
        view = memoryview(data)
        size = self._window_bytes
        if self._pending:
            missing = size - len(self._pending)
            self._pending += view[:missing]
            view = view[missing:]
            if len(self._pending) < size:
                return []
            self._window(memoryview(self._pending))
            self._pending.clear()
        whole = len(view) - len(view) % size
        for offset in range(0, whole, size):
            self._window(view[offset : offset + size])
        self._pending += view[whole:]
        return self._collect()

    def flush(self) -> list[Event]:
        """End of the recording: every utterance still open becomes final (the last partial window is dropped)."""
        for channel in self._channels:
            if channel.in_speech:
                self._end_speech(channel)
        return self._collect()

    def _collect(self) -> list[Event]:
        events: list[Event] = []
        for channel in self._channels:
            events.extend(channel.events)
            channel.events.clear()
        return events

    def _window(self, window: memoryview) -> None:
        start = self._windows * self._window_seconds
        self._windows += 1
        end = self._windows * self._window_seconds
        for channel, level in zip(self._channels, self._format.levels(window), strict=True):
            voiced = level >= self._level
            if not channel.in_speech:
                if not voiced:
                    channel.voiced_run = 0
                    continue
                channel.voiced_run += 1
                if channel.voiced_run == 1:
                    channel.candidate_start = start
                if channel.voiced_run < MIN_SPEECH_WINDOWS:
                    continue
                channel.in_speech = True
                channel.events.append(SpeechEvent("speech_start", channel.index, round(channel.candidate_start, 3)))
                self._open(channel, channel.candidate_start)
            if voiced:
                channel.last_voiced_end = end
                channel.silence = 0
            else:
                channel.silence += 1
                if channel.silence >= self._endpoint_windows:
                    self._end_speech(channel)
                    continue
            if end - channel.start >= self._max_utterance - 1e-9:
                self._final(channel, end)
                self._open(channel, end)
            elif self._partials and end >= channel.next_partial - 1e-9:
                channel.next_partial += PARTIAL_SECONDS
                words = max(1, int((end - channel.start) / WORD_SECONDS))
                channel.shown_words = words
                channel.events.append(self._transcript(channel, channel.start, end, words, is_final=False))

    def _open(self, channel: _Channel, start: float) -> None:
        self._utterances += 1
        channel.utterance_id = f"{channel.index:02d}-{self._utterances:08d}"
        channel.start = start
        channel.last_voiced_end = max(channel.last_voiced_end, start)
        channel.next_partial = start + PARTIAL_SECONDS
        channel.shown_words = 0

    def _end_speech(self, channel: _Channel) -> None:
        channel.events.append(SpeechEvent("speech_end", channel.index, round(channel.last_voiced_end, 3)))
        if channel.last_voiced_end > channel.start + 1e-9:
            self._final(channel, channel.last_voiced_end)
        channel.in_speech = False
        channel.voiced_run = 0
        channel.silence = 0

    def _final(self, channel: _Channel, end: float) -> None:
        words = max(channel.shown_words, 1, round((end - channel.start) / WORD_SECONDS))
        channel.events.append(self._transcript(channel, channel.start, end, words, is_final=True))
        channel.cursor = (channel.cursor + words) % len(self._words)

    def _transcript(self, channel: _Channel, start: float, end: float, count: int, *, is_final: bool) -> Event:
        span = (end - start) / count
        words: list[dict[str, Any]] = [
            {
                "word": self._words[(channel.cursor + i) % len(self._words)],
                "start": round(start + i * span, 3),
                "end": round(start + (i + 1) * span, 3),
                "confidence": CONFIDENCE,
            }
            for i in range(count)
        ]
        utterance = {
            "start": round(start, 3),
            "end": round(end, 3),
            "confidence": CONFIDENCE,
            "channel": channel.index,
            "words": words,
            "text": " ".join(word["word"] for word in words),
            "language": self._language,
        }
        return TranscriptEvent(channel.utterance_id, is_final, utterance)
