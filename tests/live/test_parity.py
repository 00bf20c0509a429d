"""`LiveSession` and `AsyncLiveSession` are twins: the same public names, signatures and docstrings, up to the
differences listed here (the async wording of a blocking call, async iterables and iterators)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from gladia_live_client import AsyncLiveSession, LiveSession

# The protocols that have an async name.
ASYNC_NAME = {"__enter__": "__aenter__", "__exit__": "__aexit__", "__iter__": "__aiter__"}

# The documented differences: each sync phrase and what the async twin says instead. Nothing else may differ.
ASYNC_WORDING: dict[str, list[tuple[str, str]]] = {
    "<class>": [
        ("blocking API. Use it as a context manager", "asyncio API. Use it as an async context manager"),
        ("with LiveSession(", "async with AsyncLiveSession("),
        (" session.send_file(", " await session.send_file("),
        (" session.stop_recording()", " await session.stop_recording()"),
        (" for message in session:", " async for message in session:"),
    ],
    "start": [("(idempotent)", "(idempotent; needs a running event loop)")],
    "send_audio": [("blocks while", "waits while")],
    "send_stream": [("of `chunks` (e.g.", "of `chunks`, an async or plain iterable (e.g.")],
    "send_file": [
        (
            "paces sending at the audio's own rate.",
            "paces sending at the audio's own rate. The file is read with blocking reads of at most 64 KiB "
            "(local files; for slow sources use `send_stream`).",
        )
    ],
}

# The documented differences in annotations.
ASYNC_TYPES: dict[str, list[tuple[str, str]]] = {
    "__iter__": [("Iterator[", "AsyncIterator[")],
    "transcripts": [("Iterator[", "AsyncIterator[")],
    "final_transcripts": [("Iterator[", "AsyncIterator[")],
    "send_stream": [("'Iterable[AudioChunk]'", "'AsyncIterable[AudioChunk] | Iterable[AudioChunk]'")],
}

# Plain in both twins: they neither wait nor do I/O (or return an async iterator without awaiting).
PLAIN = {"start", "final_transcripts", "from_init_response", "on"}


def public_names(cls: type, protocols: set[str]) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_") or name in protocols}


def flat(doc: str | None) -> str:
    return " ".join((doc or "").split())


def async_doc(name: str, doc: str | None) -> str:
    text = flat(doc)
    for sync_phrase, async_phrase in ASYNC_WORDING.get(name, []):
        assert sync_phrase in text, f"{name}: the documented difference {sync_phrase!r} is gone from LiveSession"
        text = text.replace(sync_phrase, async_phrase)
    return text


SYNC_NAMES = sorted(public_names(LiveSession, set(ASYNC_NAME)) | {"__init__"})


def test_the_twins_have_the_same_public_names() -> None:
    expected = {ASYNC_NAME.get(name, name) for name in public_names(LiveSession, set(ASYNC_NAME))}
    assert public_names(AsyncLiveSession, set(ASYNC_NAME.values())) == expected


@pytest.mark.parametrize("name", SYNC_NAMES)
def test_the_twins_have_the_same_signature(name: str) -> None:
    sync, twin = getattr(LiveSession, name), getattr(AsyncLiveSession, ASYNC_NAME.get(name, name))
    if isinstance(sync, property):
        assert isinstance(twin, property)
        assert inspect.signature(sync.fget) == inspect.signature(twin.fget)  # type: ignore[arg-type]
        return
    expected = str(inspect.signature(sync))
    for sync_type, async_type in ASYNC_TYPES.get(name, []):
        assert sync_type in expected, f"{name}: the documented difference {sync_type!r} is gone"
        expected = expected.replace(sync_type, async_type)
    assert str(inspect.signature(twin)) == expected


@pytest.mark.parametrize("name", SYNC_NAMES)
def test_the_twins_have_the_same_docstring(name: str) -> None:
    sync, twin = getattr(LiveSession, name), getattr(AsyncLiveSession, ASYNC_NAME.get(name, name))
    assert flat(twin.__doc__) == async_doc(name, sync.__doc__)
    if not name.startswith("__"):
        assert flat(sync.__doc__), f"LiveSession.{name} has no docstring"


def test_the_class_docstrings_differ_only_as_documented() -> None:
    assert flat(AsyncLiveSession.__doc__) == async_doc("<class>", LiveSession.__doc__)


@pytest.mark.parametrize("name", SYNC_NAMES)
def test_what_waits_or_does_io_is_awaitable_in_the_async_twin(name: str) -> None:
    sync, twin = getattr(LiveSession, name), getattr(AsyncLiveSession, ASYNC_NAME.get(name, name))
    if isinstance(sync, property) or name in PLAIN or name == "__init__":
        assert not inspect.iscoroutinefunction(twin)
        assert not inspect.isasyncgenfunction(twin)
        return
    kind: Any = inspect.isgeneratorfunction(sync)
    if kind:  # iterators: an async generator in the twin
        assert inspect.isasyncgenfunction(twin), name
    else:
        assert inspect.iscoroutinefunction(twin), name
    assert not inspect.iscoroutinefunction(sync), name


def test_close_takes_the_same_timeout_in_both_twins() -> None:
    sync = inspect.signature(LiveSession.close).parameters["timeout"]
    twin = inspect.signature(AsyncLiveSession.close).parameters["timeout"]
    assert sync.default is None
    assert twin.default is None
    assert sync.annotation == twin.annotation
