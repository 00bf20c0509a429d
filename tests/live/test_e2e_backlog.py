"""Unread messages are bounded: a flood while the caller does not read keeps memory bounded (partial results
dropped, counted, one WARNING); a message that must not be dropped fails the session with LiveBacklogError;
a caller that sends a long file unpaced before reading finishes (acknowledgements keep flowing)."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import (
    AsyncLiveSession,
    LiveBacklogError,
    LiveOptions,
    LiveSession,
    LiveState,
)
from gladia_live_client._live._backlog import MessageBacklog
from gladia_live_client._live._messages import parse_server_message
from gladia_live_client.models import EndSessionMessage, TranscriptMessage

from ._hostile import RawServer, text_frame, transcript
from .conftest import create_session, fast_options, session_request

FLOOD = 500_000
FLOOD_LIMIT_KIB = 64 * 1024
BATCH = 2_000


async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
    batch = text_frame(transcript("partial", final=False)) * BATCH
    for _ in range(FLOOD // BATCH):
        writer.write(batch)
        await writer.drain()
    await asyncio.sleep(60)  # keep the connection open until the client is done


def test_a_flood_of_unread_messages_keeps_memory_bounded_in_both_shells() -> None:
    # One subprocess per shell, run side by side: each reports its own baseline and peak RSS.
    script = Path(__file__).with_name("_flood_client.py")
    with RawServer(flood) as sync_server, RawServer(flood) as async_server:
        runs = {
            shell: subprocess.Popen(
                [sys.executable, str(script), server.url, shell, str(FLOOD)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for shell, server in (("sync", sync_server), ("async", async_server))
        }
        outputs = {shell: run.communicate(timeout=150) for shell, run in runs.items()}
    for shell, (stdout, stderr) in outputs.items():
        assert runs[shell].returncode == 0, stderr
        figures = json.loads(stdout)
        growth = figures["peak_kib"] - figures["baseline_kib"]
        print(f"{shell}: RSS {figures['baseline_kib']} KiB -> peak {figures['peak_kib']} KiB (+{growth} KiB)")
        assert growth <= FLOOD_LIMIT_KIB
        assert figures["dropped"] + figures["unread"] == FLOOD
        assert figures["unread"] == LiveOptions().max_unread_messages
        assert figures["first"] == "TranscriptMessage"  # the oldest unread message is still there
        assert stderr == ""  # the one WARNING goes to the NullHandler: no logging configured here


def partial(text: str = "p") -> str:
    return transcript(text, final=False)


def final(text: str = "f") -> str:
    return transcript(text, final=True)


def test_backlog_drops_partials_first_and_refuses_to_drop_a_final_transcript() -> None:
    backlog = MessageBacklog(max_messages=4, max_bytes=1 << 20)
    for frame in [partial("a"), final("b"), partial("c"), final("d")]:
        assert backlog.push([parse_server_message(frame)], len(frame)) == 0
    assert backlog.push([parse_server_message(partial("e"))], 100) == 1  # full: the new partial goes
    assert backlog.push([parse_server_message(final("g"))], 100) == 2  # both queued partials make room
    assert backlog.dropped == 3
    texts = []
    while (message := backlog.pop()) is not None:
        assert isinstance(message, TranscriptMessage)
        texts.append(message.data.utterance.text)
    assert texts == ["b", "d", "g"]
    for text in "hijk":
        backlog.push([parse_server_message(final(text))], 10)
    with pytest.raises(LiveBacklogError, match="read messages while sending") as caught:
        backlog.push([parse_server_message(final("l"))], 10)
    assert caught.value.unread_messages == 4


def test_backlog_bounded_by_bytes_takes_one_large_message_when_empty() -> None:
    backlog = MessageBacklog(max_messages=100, max_bytes=1000)
    big = final("x" * 5000)
    backlog.push([parse_server_message(big)], len(big))  # alone: taken whatever its size
    assert len(backlog) == 1
    assert backlog.push([parse_server_message(partial())], 10) == 1


async def finals(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
    writer.write(text_frame(final()) * 50)
    await writer.drain()
    await asyncio.sleep(30)


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_a_final_transcript_that_does_not_fit_fails_the_session(shell: str, caplog: Any) -> None:
    options = LiveOptions(max_unread_messages=10, stall_timeout=None, close_timeout=1.0)
    with RawServer(finals) as server:
        if shell == "sync":
            session = LiveSession(server.url, options=options).start()
            messages = []
            with pytest.raises(LiveBacklogError):
                messages.extend(session)
        else:

            async def main() -> tuple[Any, list[Any], BaseException | None]:
                session = AsyncLiveSession(server.url, options=options).start()
                await asyncio.wait_for(asyncio.shield(session._task), 10)  # type: ignore[arg-type]
                collected = []
                error = None
                try:
                    async for message in session:
                        collected.append(message)
                except LiveBacklogError as exc:
                    error = exc
                return session, collected, error

            session, messages, error = asyncio.run(main())
            assert isinstance(error, LiveBacklogError)
    # The sync reader may have read some before the backlog filled; what was queued is still delivered.
    assert 10 <= len(messages) <= 50
    assert all(isinstance(message, TranscriptMessage) for message in messages)
    assert session.state is LiveState.FAILED


def test_sending_a_long_file_unpaced_before_reading_does_not_deadlock(server: Any, caplog: Any) -> None:
    # 60 s of audio through a 256 KiB buffer: only acknowledgements read while nothing reads messages free it.
    audio = bytes(16000 * 2 * 60)
    options = fast_options(buffer_limit=256 * 1024)
    caplog.set_level(logging.WARNING, logger="gladia_live_client")
    init = create_session(server)
    with LiveSession.from_init_response(init, session_request(), options=options) as session:
        session.send_audio(audio)
        session.stop_recording()
        messages = list(session)
    assert isinstance(messages[-1], EndSessionMessage)
    assert server.committed_audio(str(init.id)) == audio

    async def main() -> list[Any]:
        init = create_session(server)
        async with AsyncLiveSession.from_init_response(init, session_request(), options=options) as session:
            await session.send_audio(audio)
            await session.stop_recording()
            return [message async for message in session]

    assert isinstance(asyncio.run(main())[-1], EndSessionMessage)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_dropping_logs_one_warning_and_counts_in_stats(caplog: Any) -> None:
    from gladia_live_client._live._audio import AudioFormat  # noqa: PLC0415
    from gladia_live_client._live._protocol import LiveProtocol  # noqa: PLC0415

    caplog.set_level(logging.WARNING, logger="gladia_live_client")
    core = LiveProtocol(AudioFormat(), LiveOptions(max_unread_messages=5), session_id="s-1")
    core.connection_made(0.0)
    for _ in range(100):
        core.receive_frame(partial())
    stats = core.stats()
    assert (stats.messages_unread, stats.messages_dropped) == (5, 95)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "read messages while sending" in warnings[0].getMessage().lower()
