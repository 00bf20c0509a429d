"""The fake speech recogniser: an energy voice-activity detector over real PCM, and words from a script.

Time is audio time (seconds of audio received), never wall-clock time, so a session produces the same events
however fast its audio arrives. The audio is cut into 20 ms windows and each channel is detected on its own,
from the mean absolute amplitude of its windows (its level).

How it decides where an utterance ends, like a speech recogniser at Gladia's defaults (``endpointing`` 0.05 s,
``maximum_duration_without_endpointing`` 5 s) and unlike a plain level gate:

- speech starts after two windows in a row at the speech level (`speech_level`; `speech_start` at the first);
- once speech has started, a window stays speech down to a quarter of that level (hysteresis, as speech
  detectors do): the quiet ends of words and the consonants between them are speech, not pauses. A pause is
  a window under that lower level;
- the utterance ends once a pause has lasted ``endpointing`` seconds, rounded up to whole windows
  (`speech_end` at the end of the last speech window, then the final transcript). In connected speech that
  happens at the pauses of clause and sentence ends (about 0.15 s and more), not between words;
- an utterance longer than ``maximum_duration_without_endpointing`` is made final there and a new one goes on;
- the end of the recording ends the utterance still open at its last speech window: no word is ever placed
  after the audio received;
- partial transcripts (when asked for) come every 0.5 s of speech.

Words: an utterance of d seconds holds about max(1, round(d / 0.3)) words, spread evenly over it and taken in
order from the script (each channel reads the script from its start and cycles through it). When it ends at a
pause (not at the maximum duration), its last word is moved to the nearest clause or sentence end of the
script (a word ending in ``. , ; : ! ?``) within a quarter of that count, as a recogniser hears a pause at the
end of a phrase: a recording read from the script gets the script's phrases back, whole.
"""

from __future__ import annotations

import math
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
# Once in speech, a window is still speech down to this fraction of the speech level (hysteresis).
HOLD_FRACTION = 0.25
# How far (a fraction of an utterance's word count) its last word may move to a phrase end of the script.
PHRASE_SNAP = 0.25
_PHRASE_END = re.compile(r"[.,;:!?]\W*$")
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
        self._phrase_ends = [bool(_PHRASE_END.search(word)) for word in self._words]
        self._format = audio_format
        self._window_frames = max(1, round(audio_format.sample_rate * WINDOW_SECONDS))
        self._window_bytes = self._window_frames * audio_format.frame_size
        self._window_seconds = audio_format.seconds(self._window_bytes)
        # Compare in whole windows so float drift never shifts an endpoint by one window; a pause shorter than
        # `endpointing` never ends an utterance, hence rounded up.
        self._endpoint_windows = max(1, math.ceil(endpointing / self._window_seconds - 1e-9))
        self._max_utterance = max_without_endpointing
        self._level = speech_level(speech_threshold)
        self._hold_level = self._level * HOLD_FRACTION
        self._language = language
        self._partials = partials
        self._channels = [_Channel(index) for index in range(audio_format.channels)]
        self._pending = bytearray()
        self._windows_seen = 0
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
            self._windows(self._pending)
            self._pending.clear()
        whole = len(view) - len(view) % size
        if whole:
            self._windows(view[:whole])
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

    def _windows(self, data: bytes | bytearray | memoryview) -> None:
        """Analyse whole windows of audio, in order (their levels are measured together: one call per frame)."""
        for levels in self._format.window_levels(data, self._window_frames):
            self._window(levels)

    def _window(self, levels: list[float]) -> None:
        start = self._windows_seen * self._window_seconds
        self._windows_seen += 1
        end = self._windows_seen * self._window_seconds
        for channel, level in zip(self._channels, levels, strict=True):
            voiced = level >= (self._hold_level if channel.in_speech else self._level)
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
            self._final(channel, channel.last_voiced_end, at_pause=True)
        channel.in_speech = False
        channel.voiced_run = 0
        channel.silence = 0

    def _final(self, channel: _Channel, end: float, *, at_pause: bool = False) -> None:
        words = max(channel.shown_words, 1, round((end - channel.start) / WORD_SECONDS))
        if at_pause:
            words = self._to_phrase_end(channel.cursor, words, minimum=max(1, channel.shown_words))
        channel.events.append(self._transcript(channel, channel.start, end, words, is_final=True))
        channel.cursor = (channel.cursor + words) % len(self._words)

    def _to_phrase_end(self, cursor: int, words: int, *, minimum: int) -> int:
        """The word count nearest `words` (the shorter on a tie, never under `minimum`) whose last word ends a
        phrase of the script; `words` itself when none is within `PHRASE_SNAP` of it."""
        reach = max(1, round(words * PHRASE_SNAP))
        for distance in range(reach + 1):
            for count in (words - distance, words + distance):
                if count >= minimum and self._phrase_ends[(cursor + count - 1) % len(self._words)]:
                    return count
        return words

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
