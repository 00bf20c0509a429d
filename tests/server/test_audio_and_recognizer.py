"""Audio formats (sizes, WAV headers, levels) and the fake recogniser (speech detection, words, timing)."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from gladia_live_client.testing._audio import ServerAudioFormat, alaw_to_linear, ulaw_to_linear
from gladia_live_client.testing._recognizer import Recognizer, SpeechEvent, TranscriptEvent

from .conftest import silence, tone


def test_g711_decoding_matches_the_standard_tables() -> None:
    assert [ulaw_to_linear(code) for code in (0xFF, 0x7F, 0x80, 0x00)] == [0, 0, 32124, -32124]
    assert [alaw_to_linear(code) for code in (0xD5, 0x55, 0xAA, 0x2A)] == [8, -8, 32256, -32256]


@pytest.mark.parametrize(
    ("encoding", "bits", "tag", "fmt_size"),
    [
        ("wav/pcm", 16, 1, 16),
        ("wav/pcm", 24, 1, 16),
        ("wav/pcm", 8, 1, 16),
        ("wav/alaw", 8, 6, 18),
        ("wav/ulaw", 8, 7, 18),
    ],
)
def test_wav_header_describes_the_format(encoding: str, bits: int, tag: int, fmt_size: int) -> None:
    audio_format = ServerAudioFormat(encoding, bits, 44100, 3)
    header = audio_format.wav_header(999)
    assert header[:4] == b"RIFF"
    assert header[8:12] == b"WAVE"
    assert header[12:16] == b"fmt "
    assert struct.unpack("<I", header[16:20])[0] == fmt_size
    fields = struct.unpack("<HHIIHH", header[20:36])
    frame = bits // 8 * 3
    assert fields == (tag, 3, 44100, 44100 * frame, frame, bits)
    assert header[-8:] == b"data" + struct.pack("<I", 999)
    # RIFF size: everything after its own field, the pad byte of the odd data chunk included
    assert struct.unpack("<I", header[4:8])[0] == len(header) - 8 + 999 + 1
    if tag != 1:
        fact = header.index(b"fact")
        assert struct.unpack("<II", header[fact + 4 : fact + 12]) == (4, 999 // 3)


def _encode(samples: list[int], encoding: str, bits: int) -> bytes:
    if encoding == "wav/ulaw":
        table = {ulaw_to_linear(code): code for code in range(256)}
    elif encoding == "wav/alaw":
        table = {alaw_to_linear(code): code for code in range(256)}
    else:
        table = {}
    if table:
        levels = sorted(table)
        return bytes(table[min(levels, key=lambda level: abs(level - value))] for value in samples)
    if bits == 8:
        return bytes((value >> 8) + 128 for value in samples)
    width = bits // 8
    return b"".join((value << (8 * (width - 2))).to_bytes(width, "little", signed=True) for value in samples)


@pytest.mark.parametrize(
    ("encoding", "bits"),
    [("wav/pcm", 8), ("wav/pcm", 16), ("wav/pcm", 24), ("wav/pcm", 32), ("wav/alaw", 8), ("wav/ulaw", 8)],
)
def test_levels_are_the_same_whatever_the_encoding(encoding: str, bits: int) -> None:
    loud, quiet = [12000, -12000] * 80, [0] * 160
    audio_format = ServerAudioFormat(encoding, bits, 8000, 2)
    # Channel 0 loud, channel 1 silent, interleaved.
    window = _encode([value for pair in zip(loud, quiet, strict=True) for value in pair], encoding, bits)
    left, right = audio_format.levels(window)
    assert left == pytest.approx(12000 / 32768, rel=0.05)
    assert right < 0.01


def _recognizer(**options: Any) -> Recognizer:
    settings: dict[str, Any] = {
        "endpointing": 0.05,
        "max_without_endpointing": 5.0,
        "speech_threshold": 0.6,
        "language": "en",
        "partials": False,
    }
    settings.update(options)
    script = settings.pop("script", ["alpha beta gamma delta"])
    return Recognizer(ServerAudioFormat("wav/pcm", 16, 16000, 1), script, **settings)


def _summary(events: list[SpeechEvent | TranscriptEvent]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for event in events:
        if isinstance(event, SpeechEvent):
            out.append((event.kind, event.time))
        else:
            u = event.utterance
            out.append(("final" if event.is_final else "partial", u["start"], u["end"], u["text"]))
    return out


def test_speech_is_detected_from_the_signal_energy() -> None:
    audio = silence(0.5) + tone(0.6) + silence(0.5) + tone(0.3, amplitude=0.001) + silence(0.2)
    recognizer = _recognizer()
    events = recognizer.feed(audio) + recognizer.flush()
    # the faint second tone (-60 dBFS) is not speech
    assert _summary(events) == [("speech_start", 0.5), ("speech_end", 1.1), ("final", 0.5, 1.1, "alpha beta")]


def test_events_do_not_depend_on_how_the_audio_is_cut() -> None:
    audio = silence(0.3) + tone(1.25) + silence(0.4) + tone(0.7) + silence(0.1)
    whole = _recognizer(partials=True)
    expected = _summary(whole.feed(audio) + whole.flush())
    for size in (1, 7, 641, 3200, 100_000):
        pieces = _recognizer(partials=True)
        events = [
            event for offset in range(0, len(audio), size) for event in pieces.feed(audio[offset : offset + size])
        ]
        assert _summary(events + pieces.flush()) == expected, size


def test_endpointing_sets_the_silence_that_ends_an_utterance() -> None:
    audio = tone(0.5) + silence(0.2) + tone(0.5) + silence(0.5)
    short = _recognizer(endpointing=0.1)
    long = _recognizer(endpointing=0.3)
    assert [e[0] for e in _summary(short.feed(audio))].count("final") == 2
    assert _summary(long.feed(audio)) == [
        ("speech_start", 0.0),
        ("speech_end", 1.2),
        ("final", 0.0, 1.2, "alpha beta gamma delta"),
    ]


def test_long_speech_is_cut_at_the_maximum_duration_without_endpointing() -> None:
    recognizer = _recognizer(max_without_endpointing=1.0)
    events = _summary(recognizer.feed(tone(2.5)) + recognizer.flush())
    assert [e for e in events if e[0] == "final"] == [
        ("final", 0.0, 1.0, "alpha beta gamma"),
        ("final", 1.0, 2.0, "delta alpha beta"),
        ("final", 2.0, 2.5, "gamma delta"),
    ]
    assert [e[0] for e in events if e[0].startswith("speech")] == ["speech_start", "speech_end"]


def test_partials_grow_then_the_final_keeps_their_words() -> None:
    recognizer = _recognizer(partials=True)
    events = recognizer.feed(silence(0.2) + tone(1.6) + silence(0.2))
    partials = [e for e in events if isinstance(e, TranscriptEvent) and not e.is_final]
    (final,) = [e for e in events if isinstance(e, TranscriptEvent) and e.is_final]
    assert [p.utterance["end"] for p in partials] == [0.7, 1.2, 1.7]
    assert {p.utterance_id for p in partials} == {final.utterance_id}
    assert final.utterance["text"].startswith(partials[-1].utterance["text"])
    assert final.utterance["words"][-1]["end"] == final.utterance["end"] == 1.8


def test_an_empty_script_is_refused() -> None:
    with pytest.raises(ValueError, match="no words"):
        _recognizer(script=["  ", ""])


# -- utterance boundaries at Gladia's defaults ----------------------------------------------------------------


def test_a_quiet_word_ending_is_speech_but_quiet_audio_alone_is_not() -> None:
    quiet = 0.015  # a mean level of about 0.01: under the speech level (0.02), over the hold level (0.005)
    audio = tone(0.5) + tone(0.3, amplitude=quiet) + tone(0.5) + silence(0.3) + tone(0.4, amplitude=quiet)
    recognizer = _recognizer()
    events = _summary(recognizer.feed(audio) + recognizer.flush())
    # one utterance through the quiet stretch; the quiet tone after the pause never starts speech
    assert events == [("speech_start", 0.0), ("speech_end", 1.3), ("final", 0.0, 1.3, "alpha beta gamma delta")]


def test_a_pause_shorter_than_endpointing_does_not_end_the_utterance() -> None:
    # 0.05 s is two and a half windows: rounded up to three, so a two-window gap between words is no endpoint
    audio = tone(0.6) + silence(0.04) + tone(0.6) + silence(0.06) + tone(0.3) + silence(0.3)
    recognizer = _recognizer()
    finals = [e for e in _summary(recognizer.feed(audio)) if e[0] == "final"]
    assert [(start, end) for _, start, end, _ in finals] == [(0.0, 1.24), (1.3, 1.6)]


def test_an_utterance_ending_at_a_pause_ends_at_the_nearest_phrase_end_of_the_script() -> None:
    script = ["One two three four five six seven eight, nine ten. Eleven twelve"]
    # 2.7 s gives 9 words by duration: the phrase ends at 8 ("eight,"), within a quarter of 9
    recognizer = _recognizer(script=script)
    events = recognizer.feed(tone(2.7) + silence(0.3) + tone(0.6) + silence(0.3))
    finals = [e.utterance["text"] for e in events if isinstance(e, TranscriptEvent)]
    assert finals == ["One two three four five six seven eight,", "nine ten."]
    # a phrase end too far away is not reached for: 0.3 s is one word, "One"
    alone = _recognizer(script=script)
    assert [e.utterance["text"] for e in alone.feed(tone(0.3) + silence(0.3)) if isinstance(e, TranscriptEvent)] == [
        "One"
    ]


def test_no_word_is_placed_after_the_audio_received() -> None:
    recognizer = _recognizer(partials=True, script=["Hello there. General Kenobi."])
    audio = silence(0.1) + tone(2.33)  # the recording stops mid-speech
    events = recognizer.feed(audio) + recognizer.flush()
    duration = len(audio) / 32000
    words = [word for e in events if isinstance(e, TranscriptEvent) for word in e.utterance["words"]]
    assert words
    assert max(word["end"] for word in words) <= duration


def test_the_demo_recording_gives_its_phrases_at_the_api_defaults() -> None:
    import wave

    from tests.conftest import ROOT

    with wave.open(str(ROOT / "demo" / "speech.wav"), "rb") as file:
        audio = file.readframes(file.getnframes())
    sentence = (ROOT / "demo" / "speech.txt").read_text(encoding="utf-8").strip()
    recognizer = _recognizer(script=[sentence], partials=True)  # the defaults: endpointing 0.05, 5 s at most
    events = recognizer.feed(audio) + recognizer.flush()
    finals = [e.utterance for e in events if isinstance(e, TranscriptEvent) and e.is_final]
    assert [u["text"] for u in finals] == [
        "Hello from the local Gladia server.",
        "This recording streams over a live WebSocket session,",
        "and every byte is acknowledged before it is committed.",
    ]
    assert finals[-1]["end"] <= len(audio) / 32000


def _reference_levels(audio_format: ServerAudioFormat, window: bytes) -> list[float]:
    """The levels as their definition reads: one Python integer per 16-bit sample, `sum(map(abs, ...))`."""
    width, channels = audio_format.sample_width, audio_format.channels
    samples: list[int] = []
    for offset in range(0, len(window), width):
        code = window[offset]
        if audio_format.encoding == "wav/ulaw":
            samples.append(ulaw_to_linear(code))
        elif audio_format.encoding == "wav/alaw":
            samples.append(alaw_to_linear(code))
        elif width == 1:
            samples.append((code - 128) << 8)
        else:
            samples.append(int.from_bytes(window[offset + width - 2 : offset + width], "little", signed=True))
    count = len(samples) // channels
    return [sum(map(abs, samples[c::channels])) / (count * 32768) for c in range(channels)]


@pytest.mark.parametrize(
    ("encoding", "bits", "channels"),
    [
        ("wav/pcm", 16, 1),
        ("wav/pcm", 16, 2),
        ("wav/pcm", 8, 1),
        ("wav/pcm", 24, 3),
        ("wav/pcm", 32, 2),
        ("wav/alaw", 8, 2),
        ("wav/ulaw", 8, 1),
    ],
)
def test_window_levels_are_exactly_the_mean_absolute_amplitude(encoding: str, bits: int, channels: int) -> None:
    import random

    generator = random.Random(f"{encoding}{bits}{channels}")
    audio_format = ServerAudioFormat(encoding, bits, 8000, channels)
    window_frames = 160
    size = window_frames * audio_format.frame_size
    extremes = bytes([0x00, 0x80, 0xFF, 0x7F]) * (size // 4)  # -32768, 32767, -1, 0 and their neighbours
    data = bytes(generator.getrandbits(8) for _ in range(3 * size)) + extremes + bytes(size)  # + silence
    expected = [_reference_levels(audio_format, data[start : start + size]) for start in range(0, len(data), size)]
    # Compared with ==: the same integer sums divided by the same number give the same floats.
    assert audio_format.window_levels(data, window_frames) == expected
    assert audio_format.levels(data[:size]) == expected[0]
