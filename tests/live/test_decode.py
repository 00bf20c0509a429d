"""Any audio or video file through a live session: decoded by PyAV, sent, and committed sample for sample.

The files are made by PyAV in the test (a known tone) as MP3, Ogg/Opus, M4A/AAC, FLAC and an MP4 with a video
track; what the local server commits must equal the decoder's own output for the file, byte for byte.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import av
import pytest

from gladia_live_client import (
    AsyncLiveSession,
    AudioDecodeError,
    AudioFormat,
    AudioFormatError,
    DecoderNotInstalledError,
    GladiaError,
    LiveSession,
    decode_audio,
)
from gladia_live_client._live._decode import DEFAULT_BLOCK_BYTES, decoded_stream, is_media_file, probe_audio
from tests._media import MEDIA, make_all, write_media
from tests.live.conftest import create_session, fast_options, session_request


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_all(tmp_path_factory.mktemp("media"))


def _decoded(path: Path, **options: Any) -> bytes:
    return b"".join(decode_audio(path, **options))


@pytest.mark.parametrize("name", list(MEDIA))
def test_send_file_decodes_any_file_sample_for_sample(server: Any, media: dict[str, Path], name: str) -> None:
    path = media[name]
    init = create_session(server, session_request())
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        sent = session.send_file(path)
        session.stop_recording()
        list(session)
    expected = _decoded(path)
    assert len(expected) > 0.5 * 32000  # about 0.6 s of 16 kHz mono
    assert sent == len(expected)
    assert server.committed_audio(str(init.id)) == expected


@pytest.mark.parametrize("name", list(MEDIA))
async def test_async_send_file_decodes_any_file_sample_for_sample(
    server: Any, media: dict[str, Path], name: str
) -> None:
    path = media[name]
    request = session_request(sample_rate=48000, channels=2)
    init = await asyncio.to_thread(create_session, server, request)
    async with AsyncLiveSession.from_init_response(init, request, options=fast_options()) as session:
        await session.send_file(path, realtime=False)
        await session.stop_recording()
        [message async for message in session]
    # resampled and channel-mapped to the session's format
    assert server.committed_audio(str(init.id)) == _decoded(path, sample_rate=48000, channels=2)


def test_explicit_decode_of_a_file_object_and_send_stream(server: Any, media: dict[str, Path]) -> None:
    path = media["tone.flac"]
    init = create_session(server, session_request())
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        with path.open("rb") as file:
            session.send_file(file, kind="decode")
        session.send_stream(decode_audio(path))  # the helper, as documented
        session.stop_recording()
        list(session)
    assert server.committed_audio(str(init.id)) == _decoded(path) * 2


def test_a_session_that_is_not_16_bit_pcm_refuses_decoded_audio(server: Any, media: dict[str, Path]) -> None:
    request = session_request(bit_depth=24)
    init = create_session(server, request)
    with LiveSession.from_init_response(init, request, options=fast_options()) as session:
        with pytest.raises(AudioFormatError, match="16-bit PCM"):
            session.send_file(media["tone.mp3"])
        session.stop_recording()
        list(session)
    assert server.committed_audio(str(init.id)) == b""


def test_raw_files_are_still_sent_as_they_are(server: Any, tmp_path: Path) -> None:
    raw = tmp_path / "audio.pcm"
    raw.write_bytes(b"\xff\xff" * 8000)  # -1s: an MP3 frame sync would match them, the name does not
    init = create_session(server, session_request())
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        session.send_file(raw)
        session.stop_recording()
        list(session)
    assert server.committed_audio(str(init.id)) == raw.read_bytes()


def test_decoder_output_format_and_blocks(media: dict[str, Path]) -> None:
    path = media["tone.m4a"]
    blocks = list(decode_audio(path, sample_rate=8000, channels=1, block_bytes=1001))
    assert {len(block) for block in blocks[:-1]} == {1000}  # whole sample frames
    assert 0 < len(blocks[-1]) <= 1000
    stereo = _decoded(path, sample_rate=8000, channels=2)
    mono = b"".join(blocks)
    assert len(stereo) == 2 * len(mono)
    assert stereo[0:2] == stereo[2:4]  # the same tone on both channels
    info = probe_audio(path)
    assert (info.sample_rate, info.channels) == (44100, 2)
    assert "AAC" in info.codec
    assert next(decode_audio(media["tone.flac"])) == _decoded(media["tone.flac"])[:DEFAULT_BLOCK_BYTES]


def test_media_files_are_told_from_raw_audio(media: dict[str, Path]) -> None:
    for name, path in media.items():
        assert is_media_file("renamed.bin", path.read_bytes()[:12]) or name == "tone.mp3", name
    assert is_media_file("talk.MP3", b"\xff\xfb\x90\x00")
    assert not is_media_file("audio.pcm", b"\xff\xfb\x90\x00" * 3)
    assert not is_media_file("audio.raw", bytes(12))


def test_files_it_cannot_decode_are_typed_errors(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.mp3"
    garbage.write_text("not audio at all\n" * 10, encoding="utf-8")
    with pytest.raises(AudioDecodeError, match="notes.mp3: PyAV cannot decode it"):
        list(decode_audio(garbage))
    silent_video = _video_only(tmp_path / "silent.mp4")
    with pytest.raises(AudioDecodeError, match="no audio stream"):
        decode_audio(silent_video)
    with pytest.raises(FileNotFoundError):
        decode_audio(tmp_path / "missing.ogg")
    assert issubclass(AudioDecodeError, GladiaError)


def _video_only(path: Path) -> Path:
    output = av.open(str(path), mode="w")
    stream = output.add_stream("mpeg4", rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for index in range(5):
        picture = av.VideoFrame(64, 48, "yuv420p")
        for plane in picture.planes:
            plane.update(bytes(plane.buffer_size))
        picture.pts = index
        for packet in stream.encode(picture):
            output.mux(packet)
    for packet in stream.encode(None):
        output.mux(packet)
    output.close()
    return path


def test_without_pyav_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch, media: dict[str, Path]) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` fails as if it were not installed
    with pytest.raises(DecoderNotInstalledError, match=r"pip install 'gladia-live-client\[decode\]'") as caught:
        decode_audio(media["tone.mp3"])
    assert isinstance(caught.value, GladiaError)
    assert isinstance(caught.value, ImportError)


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads the RSS from /proc")
def test_memory_stays_flat_on_a_one_hour_file(tmp_path: Path) -> None:
    # One hour of 8 kHz mono FLAC (about 15 MB), decoded unpaced without a session: 57.6 MB of PCM come out.
    path = write_media(
        tmp_path / "hour.flac", "flac", "flac", 8000, seconds=3600, channels=1, frame_samples=2000, repeat_frame=True
    )
    started = time.monotonic()
    rss_before = _rss_bytes()
    peak_rss = rss_before
    total = 0
    tracemalloc.start()
    try:
        for index, block in enumerate(decode_audio(path, sample_rate=8000)):
            total += len(block)
            if index % 64 == 0:
                peak_rss = max(peak_rss, _rss_bytes())
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 3600 * 8000 * 2
    assert traced_peak < 1 << 20  # Python-side: a block or two at a time
    assert peak_rss - rss_before < 32 << 20  # FFmpeg included: far under the 57.6 MB decoded
    assert time.monotonic() - started < 120  # a generous deadline, not a speed test


def test_a_file_object_that_is_not_media_is_a_typed_error() -> None:
    with pytest.raises(AudioDecodeError, match="PyAV cannot decode it"):
        decoded_stream(io.BytesIO(b"garbage" * 100), AudioFormat())
