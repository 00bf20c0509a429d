"""Constructor arguments, environment defaults and their checks."""

from __future__ import annotations

import httpx
import pytest

from gladia_live_client import AsyncGladiaLive, ConfigurationError, ConfigurationTypeError, GladiaLive

from ._mock import JOB_ID, SECRET, Script


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLADIA_API_KEY", raising=False)
    monkeypatch.delenv("GLADIA_API_URL", raising=False)


@pytest.mark.parametrize("cls", [GladiaLive, AsyncGladiaLive])
def test_missing_api_key_is_a_clear_error(cls: type[GladiaLive] | type[AsyncGladiaLive]) -> None:
    with pytest.raises(ConfigurationError, match="GLADIA_API_KEY"):
        cls()


@pytest.mark.parametrize("key", ["", "   ", "two words", "tab\tkey"])
def test_unusable_api_key_is_rejected(key: str) -> None:
    with pytest.raises(ConfigurationError, match="api_key"):
        GladiaLive(api_key=key)


def test_api_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIA_API_KEY", "env-key-123\n")
    monkeypatch.setenv("GLADIA_API_URL", "http://127.0.0.1:9/prefix/")
    script = Script()
    with GladiaLive(transport=script.transport()) as gladia:
        assert gladia.base_url == "http://127.0.0.1:9/prefix"
        gladia.get_job(JOB_ID)
    (request,) = script.requests
    assert request.headers["x-gladia-key"] == "env-key-123"
    assert str(request.url) == f"http://127.0.0.1:9/prefix/v2/live/{JOB_ID}"


def test_arguments_win_over_the_environment_and_the_default_url_is_gladia(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIA_API_KEY", "env-key")
    script = Script()
    with GladiaLive(api_key=SECRET, transport=script.transport()) as gladia:
        gladia.get_job(JOB_ID)
    (request,) = script.requests
    assert request.headers["x-gladia-key"] == SECRET
    assert request.url.host == "api.gladia.io"
    assert request.url.scheme == "https"
    assert request.headers["user-agent"].startswith("gladia-live-client/")


@pytest.mark.parametrize("url", ["api.gladia.io", "ftp://api.gladia.io", "https://", "https://h/?q=1", "http://[::1"])
def test_bad_base_url_is_rejected(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        GladiaLive(api_key=SECRET, base_url=url)


def test_default_timeout_is_finite_and_a_number_sets_every_phase() -> None:
    script = Script()
    with script.sync_client() as gladia:
        gladia.get_job(JOB_ID)
    with script.sync_client(timeout=2.5) as gladia:
        gladia.get_job(JOB_ID)
    default, custom = (request.extensions["timeout"] for request in script.requests)
    assert all(value is not None and 0 < value <= 60 for value in default.values())
    assert custom == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


def test_an_httpx_timeout_is_used_as_given() -> None:
    script = Script()
    with script.sync_client(timeout=httpx.Timeout(5.0, read=30.0)) as gladia:
        gladia.get_job(JOB_ID)
    assert script.requests[0].extensions["timeout"] == {"connect": 5.0, "read": 30.0, "write": 5.0, "pool": 5.0}


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), True, "10", None])
def test_bad_timeout_is_rejected(timeout: object) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        GladiaLive(api_key=SECRET, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_retries", [-1, 1.5, True, None])
def test_bad_max_retries_is_rejected(max_retries: object) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        GladiaLive(api_key=SECRET, max_retries=max_retries)  # type: ignore[arg-type]


def test_transport_of_the_wrong_kind_is_rejected() -> None:
    class AsyncOnly(httpx.AsyncBaseTransport):
        pass

    class SyncOnly(httpx.BaseTransport):
        pass

    # A ConfigurationError, and still the TypeError Python raises for an argument of the wrong type.
    with pytest.raises(ConfigurationTypeError, match="BaseTransport") as sync_caught:
        GladiaLive(api_key=SECRET, transport=AsyncOnly())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationTypeError, match="AsyncBaseTransport") as async_caught:
        AsyncGladiaLive(api_key=SECRET, transport=SyncOnly())  # type: ignore[arg-type]
    for caught in (sync_caught, async_caught):
        assert isinstance(caught.value, ConfigurationError)
        assert isinstance(caught.value, TypeError)


def test_repr_shows_settings_but_never_the_key() -> None:
    gladia = GladiaLive(api_key=SECRET, base_url="http://127.0.0.1:8080")
    try:
        assert repr(gladia) == "GladiaLive(base_url='http://127.0.0.1:8080', max_retries=2)"
        # Nothing the object holds prints the key: settings, the generated client, the httpx client.
        assert SECRET not in str(vars(gladia))
    finally:
        gladia.close()


def test_nothing_the_client_holds_prints_the_base_urls_password() -> None:
    with GladiaLive(api_key=SECRET, base_url="http://gateway:s3cret-pass@127.0.0.1:8080") as gladia:
        assert repr(gladia) == "GladiaLive(base_url='http://***@127.0.0.1:8080', max_retries=2)"
        assert "s3cret-pass" not in str(vars(gladia))
        assert "base_url='http://***@127.0.0.1:8080', timeout=" in str(vars(gladia))


def test_closing_the_client_leaves_a_given_transport_open() -> None:
    closed: list[str] = []

    class Tracking(httpx.MockTransport):
        def close(self) -> None:
            closed.append("sync")

        async def aclose(self) -> None:
            closed.append("async")

    transport = Tracking(Script().handle)
    with GladiaLive(api_key=SECRET, transport=transport) as gladia:
        gladia.get_job(JOB_ID)
    assert closed == []


async def test_async_client_reads_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIA_API_KEY", "env-key-async")
    script = Script()
    async with AsyncGladiaLive(transport=script.transport(), timeout=3) as gladia:
        assert repr(gladia) == "AsyncGladiaLive(base_url='https://api.gladia.io', max_retries=2)"
        await gladia.get_job(JOB_ID)
    (request,) = script.requests
    assert request.headers["x-gladia-key"] == "env-key-async"
    assert request.extensions["timeout"]["read"] == 3
