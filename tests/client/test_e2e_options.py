"""End to end over loopback: `with_options` copies share one pool, a caller's ``http_client=`` sends, raw responses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gladia_live_client import AsyncGladiaLive, AuthenticationError, ClientClosedError, GladiaLive, NotFoundError

from ._live import record_sync

AUDIO = bytes(range(256)) * 50


def local_port(response: httpx.Response) -> int:
    """The client side port of the TCP connection ``response`` came on."""
    return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])


def test_a_copy_and_its_original_send_on_one_connection(gladia: GladiaLive) -> None:
    created = gladia.with_raw_response.init_session({"encoding": "wav/pcm"})
    copy = gladia.with_options(timeout=5, max_retries=0, deadline=20)
    fetched = copy.with_raw_response.get_job(created.parse().id)
    assert local_port(fetched.http_response) == local_port(created.http_response)
    assert fetched.parse().status == "queued"
    copy.close()  # the original's pool stays open
    assert gladia.get_job(created.parse().id).status == "queued"


async def test_an_async_copy_shares_the_pool_and_closing_the_original_closes_it(server: Any) -> None:
    client = AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url)
    copy = client.with_options(max_retries=0)
    created = await client.with_raw_response.init_session({"encoding": "wav/pcm"})
    fetched = await copy.with_raw_response.get_job(created.parse().id)
    assert local_port(fetched.http_response) == local_port(created.http_response)
    await client.close()
    with pytest.raises(ClientClosedError, match="AsyncGladiaLive is closed and cannot send; create a new client"):
        await copy.get_job(created.parse().id)
    with pytest.raises(ClientClosedError):
        await client.list_jobs()


def test_a_closed_client_raises_a_typed_error_on_every_way_out(server: Any, tmp_path: Path) -> None:
    gladia = GladiaLive(api_key=server.api_key, base_url=server.base_url)
    session = gladia.init_session({"encoding": "wav/pcm"})
    gladia.close()
    with pytest.raises(ClientClosedError) as caught:
        gladia.get_job(session.id)
    assert isinstance(caught.value, RuntimeError)  # what httpx raises for a closed client, kept as a base
    with pytest.raises(ClientClosedError):
        gladia.download_audio(session.id, tmp_path / "audio.wav")
    with pytest.raises(ClientClosedError):
        list(gladia.iter_jobs())
    assert not (tmp_path / "audio.wav").exists()


def test_an_http_client_closed_by_its_owner_raises_a_typed_error(server: Any) -> None:
    mine = httpx.Client()
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, http_client=mine, max_retries=3) as gladia:
        assert gladia.list_jobs(limit=1).items == []
        mine.close()
        with pytest.raises(ClientClosedError, match="http_client= given to this client was closed by its owner"):
            gladia.list_jobs(limit=1)


def test_a_callers_http_client_sends_with_the_clients_key_and_stays_open(server: Any) -> None:
    seen: list[httpx.Request] = []
    with httpx.Client(
        base_url="http://192.0.2.1:9",  # ignored: the Gladia client's base_url decides
        headers={"x-team": "audio", "x-gladia-key": "not-this-one"},
        event_hooks={"request": [seen.append]},
    ) as mine:
        with GladiaLive(api_key=server.api_key, base_url=server.base_url, http_client=mine) as gladia:
            session = gladia.init_session({"encoding": "wav/pcm"})
            record_sync(session.url, AUDIO)
            assert gladia.get_job(session.id).status == "done"
            assert len(b"".join(gladia.iter_audio(session.id))) > len(AUDIO)
            with pytest.raises(NotFoundError):
                gladia.get_job("00000000-0000-4000-8000-000000000000")
        assert not mine.is_closed
        assert mine.get(f"{server.base_url}/v2/live", headers={"x-gladia-key": server.api_key}).status_code == 200
    assert [request.method for request in seen[:3]] == ["POST", "GET", "GET"]
    assert all(request.headers["x-team"] == "audio" for request in seen)
    assert all(request.headers["x-gladia-key"] == server.api_key for request in seen[:-1])
    assert all(request.url.host == "127.0.0.1" for request in seen)


async def test_a_callers_async_http_client(server: Any, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as mine:
        async with AsyncGladiaLive(api_key="wrong-key-0000", base_url=server.base_url, http_client=mine) as bad:
            with pytest.raises(AuthenticationError):
                await bad.list_jobs()
        async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, http_client=mine) as gladia:
            raw = await gladia.with_raw_response.list_jobs(limit=1, timeout=5)
            assert raw.status_code == 200
            assert raw.parse().items == []
        assert not mine.is_closed


def test_raw_download_gives_the_headers_and_the_byte_count(gladia: GladiaLive, tmp_path: Path) -> None:
    session = gladia.init_session({"encoding": "wav/pcm"})
    record_sync(session.url, AUDIO)
    raw = gladia.with_raw_response.download_audio(session.id, tmp_path / "a.wav")
    assert raw.status_code == 200
    assert raw.parse() == (tmp_path / "a.wav").stat().st_size == int(raw.headers["content-length"])
