"""Small audio and video files made with PyAV itself (a known tone), for the decoder's tests."""

from __future__ import annotations

import math
import struct
from fractions import Fraction
from pathlib import Path

import av

# name: (container format, audio codec, sample rate, with a video track)
MEDIA = {
    "tone.mp3": ("mp3", "libmp3lame", 44100, False),
    "tone.opus.ogg": ("ogg", "libopus", 48000, False),
    "tone.m4a": ("mp4", "aac", 44100, False),
    "tone.flac": ("flac", "flac", 22050, False),
    "tone.mp4": ("mp4", "aac", 44100, True),
}


def tone_samples(count: int, rate: int, *, start: int = 0, frequency: float = 440.0, channels: int = 2) -> bytes:
    """Interleaved 16-bit PCM of a sine at a quarter of full scale, the same on every channel."""
    values = [round(8000 * math.sin(2 * math.pi * frequency * (start + i) / rate)) for i in range(count)]
    return struct.pack(f"<{count * channels}h", *(value for value in values for _ in range(channels)))


def write_media(
    path: Path,
    container: str,
    codec: str,
    rate: int,
    *,
    video: bool = False,
    seconds: float = 0.6,
    channels: int = 2,
    frame_samples: int = 1024,
    repeat_frame: bool = False,
) -> Path:
    """Encode `seconds` of a 440 Hz tone with `codec` into `path` (plus 64x48 black video frames if `video`).

    `repeat_frame` encodes the same frame over and over (fast, for long files: pick `frame_samples` holding
    whole periods of the tone)."""
    layout = "mono" if channels == 1 else "stereo"
    output = av.open(str(path), mode="w", format=container)
    try:
        video_stream = None
        if video:
            video_stream = output.add_stream("mpeg4", rate=10)
            video_stream.width, video_stream.height, video_stream.pix_fmt = 64, 48, "yuv420p"
        audio_stream = output.add_stream(codec, rate=rate)
        audio_stream.layout = layout
        total = int(seconds * rate)
        fixed = tone_samples(frame_samples, rate, channels=channels) if repeat_frame else b""
        for start in range(0, total, frame_samples):
            count = min(frame_samples, total - start)
            frame = av.AudioFrame(format="s16", layout=layout, samples=count)
            data = (
                fixed[: count * 2 * channels]
                if repeat_frame
                else tone_samples(count, rate, start=start, channels=channels)
            )
            frame.planes[0].update(data)
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in audio_stream.encode(frame):
                output.mux(packet)
        for packet in audio_stream.encode(None):
            output.mux(packet)
        if video_stream is not None:
            for index in range(round(seconds * 10)):
                picture = av.VideoFrame(64, 48, "yuv420p")
                for plane in picture.planes:
                    plane.update(bytes(plane.buffer_size))
                picture.pts = index
                for packet in video_stream.encode(picture):
                    output.mux(packet)
            for packet in video_stream.encode(None):
                output.mux(packet)
    finally:
        output.close()
    return path


def make_all(directory: Path) -> dict[str, Path]:
    """Every file of `MEDIA`, written into `directory`."""
    return {
        name: write_media(directory / name, container, codec, rate, video=video)
        for name, (container, codec, rate, video) in MEDIA.items()
    }
