"""End to end over loopback: every method against the local server, sync and async, and paging with filters."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive, NotFoundError
from gladia_live_client.models import StreamingRequest

from ._live import record, record_sync

AUDIO = bytes(range(256)) * 250  # 64000 bytes: 2 s of 16 kHz 16-bit mono


def test_a_job_from_start_to_deletion(gladia: GladiaLive, server: Any, tmp_path: Path) -> None:
    session = gladia.init_session(
        StreamingRequest.from_dict({"encoding": "wav/pcm", "custom_metadata": {"case": "lifecycle"}}), region="eu-west"
    )
    job_id = str(session.id)
    assert session.url.startswith("ws://127.0.0.1:")
    assert gladia.get_job(session.id).status == "queued"
    assert record_sync(session.url, AUDIO) == 1000

    job = gladia.get_job(job_id)
    assert job.status == "done"
    assert job.to_dict()["custom_metadata"] == {"case": "lifecycle"}

    gladia.patch_job(job_id, {"debug": {"frames": 3, "tags": ["a", "b"]}})
    assert gladia.get_job(job_id).to_dict()["post_session_metadata"] == {"debug": {"frames": 3, "tags": ["a", "b"]}}

    target = tmp_path / "session.wav"
    written = gladia.download_audio(job_id, target)
    data = target.read_bytes()
    assert written == len(data)
    assert data.startswith(b"RIFF")
    assert data.endswith(server.committed_audio(job_id))
    assert server.committed_audio(job_id) == AUDIO
    assert b"".join(gladia.iter_audio(job_id, chunk_size=4096)) == data

    gladia.delete_job(job_id)
    with pytest.raises(NotFoundError):
        gladia.get_job(job_id)


async def test_a_job_from_start_to_deletion_async(agladia: AsyncGladiaLive, server: Any, tmp_path: Path) -> None:
    session = await agladia.init_session({"encoding": "wav/pcm"})
    assert await record(session.url, AUDIO) == 1000
    assert (await agladia.get_job(session.id)).status == "done"
    await agladia.patch_job(session.id, {"k": "v"})
    assert server.job(str(session.id))["post_session_metadata"] == {"k": "v"}
    buffer = io.BytesIO()
    assert await agladia.download_audio(session.id, buffer) == len(buffer.getvalue())
    assert buffer.getvalue().endswith(AUDIO)
    chunks = [chunk async for chunk in agladia.iter_audio(session.id)]
    assert b"".join(chunks) == buffer.getvalue()
    await agladia.delete_job(session.id)
    with pytest.raises(NotFoundError):
        await agladia.download_audio(session.id, tmp_path / "gone.wav")
    assert list(tmp_path.iterdir()) == []


def test_iter_jobs_walks_several_pages_with_filters(gladia: GladiaLive, server: Any) -> None:
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    wanted = {str(gladia.init_session({"custom_metadata": {"team": "red", "n": i}}).id) for i in range(7)}
    for i in range(3):
        gladia.init_session({"custom_metadata": {"team": "blue", "n": i}})
    done = gladia.init_session({"custom_metadata": {"team": "red", "n": 99}})
    record_sync(done.url, AUDIO)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)

    before = server.request_count("list_jobs")
    found = list(
        gladia.iter_jobs(
            limit=2, status=["queued"], custom_metadata={"team": "red"}, after_date=started, before_date=later
        )
    )
    assert {str(job.id) for job in found} == wanted
    assert len(found) == 7
    assert server.request_count("list_jobs") - before == 4  # pages of 2, 2, 2, 1

    page = gladia.list_jobs(limit=3, offset=3, custom_metadata={"team": "red"}, status="queued")
    assert len(page.items) == 3
    assert page.next_ is not None
    assert [str(job.id) for job in gladia.list_jobs(status=["done"]).items] == [str(done.id)]
    # The day of a job, as the server dated it (no midnight race with the test's clock).
    assert str(done.id) in {str(job.id) for job in gladia.iter_jobs(date=done.created_at.date(), status="done")}
    assert gladia.list_jobs(after_date=later).items == []


async def test_async_iter_jobs_walks_several_pages(agladia: AsyncGladiaLive, server: Any) -> None:
    created = {str((await agladia.init_session({"custom_metadata": {"batch": "async"}})).id) for _ in range(5)}
    before = server.request_count("list_jobs")
    found = [job async for job in agladia.iter_jobs(limit=2, custom_metadata={"batch": "async"})]
    assert {str(job.id) for job in found} == created
    assert server.request_count("list_jobs") - before == 3
