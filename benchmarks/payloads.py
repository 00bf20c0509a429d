"""Deterministic payloads for the benchmarks: a finished one-hour live job (as GET /v2/live/{id} returns it) and
speech-like audio."""

from __future__ import annotations

import json
import math
import random
import struct

VOCABULARY = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "engineers",
    "stream",
    "audio",
    "to",
    "gladia",
    "and",
    "read",
    "every",
    "transcript",
    "they",
    "receive",
    "in",
    "real",
    "time",
    "before",
    "the",
    "session",
    "ends",
    "with",
    "its",
    "final",
    "result",
]


def one_hour_job(words: int = 12_000, seed: int = 7) -> bytes:
    """About 12,000 words with timings in about 1.2 MB of JSON, the size of a finished one-hour job."""
    rng = random.Random(seed)
    utterances, clock = [], 0.0
    remaining = words
    while remaining:
        count = min(remaining, rng.randint(8, 30))
        remaining -= count
        items = []
        start = clock
        for _ in range(count):
            duration = rng.uniform(0.15, 0.45)
            items.append(
                {
                    "word": " " + rng.choice(VOCABULARY),
                    "start": round(clock, 3),
                    "end": round(clock + duration, 3),
                    "confidence": round(rng.uniform(0.6, 1.0), 3),
                }
            )
            clock += duration + rng.uniform(0.0, 0.05)
        utterances.append(
            {
                "start": round(start, 3),
                "end": round(clock, 3),
                "confidence": round(rng.uniform(0.7, 1.0), 3),
                "channel": 0,
                "speaker": rng.randint(0, 3),
                "words": items,
                "text": "".join(w["word"] for w in items).strip(),
                "language": "en",
            }
        )
    job = {
        "id": "45463597-20b7-4af7-b3b3-f5fb778203ab",
        "request_id": "G-45463597",
        "version": 2,
        "status": "done",
        "created_at": "2026-11-24T10:00:00.000Z",
        "completed_at": "2026-11-24T11:00:05.000Z",
        "kind": "live",
        "custom_metadata": {"user": "bench"},
        "error_code": None,
        "file": {
            "id": "f-1",
            "filename": "live.wav",
            "source": None,
            "audio_duration": round(clock, 3),
            "number_of_channels": 1,
        },
        "request_params": {"encoding": "wav/pcm", "bit_depth": 16, "sample_rate": 16000, "channels": 1},
        "result": {
            "metadata": {
                "audio_duration": round(clock, 3),
                "number_of_distinct_channels": 1,
                "billing_time": round(clock, 3),
                "transcription_time": 12.5,
            },
            "transcription": {
                "full_transcript": " ".join(u["text"] for u in utterances),
                "languages": ["en"],
                "utterances": utterances,
            },
        },
    }
    return json.dumps(job).encode()


def speech_like_pcm(seconds: int, rate: int = 16_000) -> bytes:
    """16-bit mono PCM shaped like speech for the local server's recogniser: 1.5 s of a 440 Hz tone at -10 dBFS
    then 0.5 s of silence, repeated (one utterance every 2 s). Built from one 2-second period, so an hour takes
    milliseconds to make."""
    if seconds % 2:
        raise ValueError("seconds must be even (whole 2-second periods)")
    period = [
        round(0.3 * 32767 * math.sin(2 * math.pi * 440 * i / rate)) if i < 1.5 * rate else 0 for i in range(2 * rate)
    ]
    return struct.pack(f"<{len(period)}h", *period) * (seconds // 2)


def chunked(data: bytes, size: int) -> list[bytes]:
    """`data` cut into `size`-byte chunks (the last one may be shorter)."""
    return [data[offset : offset + size] for offset in range(0, len(data), size)]
