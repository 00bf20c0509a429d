"""Every exception the package raises is a `GladiaError`, and every public one shows its public path."""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

import gladia_live_client
from gladia_live_client import GladiaError

PACKAGE = Path(gladia_live_client.__file__).parent
ROOT = "gladia_live_client"


def public_exceptions() -> dict[str, type[BaseException]]:
    found = {}
    for name in gladia_live_client.__all__:
        value = getattr(gladia_live_client, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            found[name] = value
    return found


def test_the_walk_finds_the_exceptions() -> None:
    # Guards the tests below against passing on an empty list.
    found = public_exceptions()
    assert {"GladiaError", "NotFoundError", "ConfigurationTypeError", "LiveError", "AudioFormatError"} <= set(found)
    assert len(found) >= 25


@pytest.mark.parametrize("name", sorted(public_exceptions()))
def test_every_public_exception_is_a_gladia_error_under_the_public_path(name: str) -> None:
    cls = public_exceptions()[name]
    assert issubclass(cls, GladiaError)
    assert (cls.__module__, cls.__qualname__) == (ROOT, name)


def test_a_traceback_names_the_public_path() -> None:
    from gladia_live_client import NotFoundError

    error = NotFoundError("no such job", response=httpx.Response(404, request=httpx.Request("GET", "https://x/")))
    assert traceback.format_exception_only(error)[-1].startswith("gladia_live_client.NotFoundError: 404 Not Found")
    assert repr(type(error)) == "<class 'gladia_live_client.NotFoundError'>"


def test_the_public_path_is_set_when_the_class_is_made_not_when_the_root_hands_it_out() -> None:
    # A user who only ever imports GladiaLive meets these classes through the private modules that raise them.
    code = (
        "import json, gladia_live_client._exceptions as e, gladia_live_client._live._errors as l;"
        "print(json.dumps([e.NotFoundError.__module__, e.GladiaError.__module__, l.LiveError.__module__,"
        " e._ResponseError.__module__]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == [ROOT, ROOT, ROOT, "gladia_live_client._exceptions"]


def test_classes_the_root_does_not_export_keep_their_own_module() -> None:
    from gladia_live_client import NotFoundError

    class MyNotFoundError(NotFoundError):
        pass

    class InvalidRequestError(GladiaError):  # a public name, defined elsewhere: not the package's class
        pass

    assert MyNotFoundError.__module__ == __name__
    assert InvalidRequestError.__module__ == __name__


# -- pickling --------------------------------------------------------------------------------------------------

_RESPONSE = httpx.Response(
    404, json={"message": "no such job"}, request=httpx.Request("GET", "https://api.gladia.io/v2/live/abc")
)
# A value for each keyword argument a public exception's constructor may require (a new one fails loudly).
_SAMPLES: dict[str, Any] = {
    "response": _RESPONSE,
    "request_id": "G-821fe9df",
    "validation_errors": ["language is not supported"],
    "body": {"message": "no such job"},
    "deadline": 2.5,
    "limit": 1024,
    "status_code": 403,
    "method": "GET",
    "path": "/v2/live/abc",
    "session_id": "abc",
    "attempts": 3,
    "elapsed": 1.5,
    "close_code": 1011,
    "close_reason": "internal error",
    "unacknowledged_bytes": 320,
    "bytes_acknowledged": 6400,
    "unread_messages": 7,
    "unread_bytes": 4096,
    "timeout": 5.0,
    "reason": "no audio stream",
    "callback": "on_transcript",
}


def example(cls: type[BaseException]) -> BaseException:
    keywords = {
        name: _SAMPLES[name]
        for name, parameter in inspect.signature(cls).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    return cls("something went wrong", **keywords)


@pytest.mark.parametrize("name", sorted(public_exceptions()))
def test_every_public_exception_survives_a_pickle_round_trip(name: str) -> None:
    original = example(public_exceptions()[name])
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is type(original)
    assert (copy.args, str(copy), repr(copy)) == (original.args, str(original), repr(original))
    state = {key: value for key, value in vars(original).items() if key != "response"}
    assert {key: value for key, value in vars(copy).items() if key != "response"} == state
    if "response" in vars(original):
        assert (copy.response.status_code, copy.response.json()) == (404, {"message": "no such job"})  # type: ignore[attr-defined]


def test_a_pickle_names_the_public_path() -> None:
    from gladia_live_client import DeadlineExceededError

    data = pickle.dumps(DeadlineExceededError("late", deadline=1.0), protocol=0)
    assert b"gladia_live_client\nDeadlineExceededError" in data
    assert b"_exceptions\nDeadlineExceededError" not in data


# -- no builtin exception raised ---------------------------------------------------------------------------------

_BUILTIN_EXCEPTIONS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}
# Raises of a builtin exception that are the protocol they serve, not a failure shown to users.
ALLOWED = {
    ("__init__.py", "AttributeError"),  # PEP 562: a module's __getattr__ must raise AttributeError
    ("cli/__main__.py", "SystemExit"),  # `python -m gladia_live_client.cli` exits with main()'s status
    ("cli/_stream.py", "KeyboardInterrupt"),  # a second Ctrl-C aborts, as Python's own handler would
    # A missing file is the OS's error, as `open()` raises it for a WAV path: PyAV's own class is replaced by it.
    ("_live/_decode.py", "FileNotFoundError"),
}


def builtin_raises(package: Path = PACKAGE) -> dict[tuple[str, str], list[int]]:
    """(path inside the package, builtin exception) -> lines, for the hand-written code outside testing/.

    `testing/` is left out: the local server is a test double whose internal errors become HTTP responses (its
    public API's errors are covered by tests/server).
    """
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in ("_generated", "testing"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(raised, ast.Name) and raised.id in _BUILTIN_EXCEPTIONS:
                found.setdefault((relative.as_posix(), raised.id), []).append(node.lineno)
    return found


def test_the_package_raises_no_builtin_exception() -> None:
    found = builtin_raises()
    unexpected = {key: lines for key, lines in found.items() if key not in ALLOWED}
    assert unexpected == {}, "raise a GladiaError subclass instead (keep the builtin as a second base if needed)"


def test_the_audit_sees_builtin_raises_outside_testing(tmp_path: Path) -> None:
    (tmp_path / "testing").mkdir()
    (tmp_path / "_generated").mkdir()
    (tmp_path / "_a.py").write_text("def f(x):\n    if x:\n        raise ValueError('x')\n    raise TypeError\n")
    (tmp_path / "_b.py").write_text("from . import InvalidRequestError\nraise InvalidRequestError('fine')\n")
    (tmp_path / "testing" / "_c.py").write_text("raise RuntimeError('a test double')\n")
    (tmp_path / "_generated" / "d.py").write_text("raise ValueError('generated')\n")
    assert builtin_raises(tmp_path) == {("_a.py", "ValueError"): [3], ("_a.py", "TypeError"): [4]}


def test_the_exceptions_and_the_pytest_plugin_import_without_httpx() -> None:
    # The plugin loads in every pytest run of a project that installs the package, and the local server's
    # argument checks raise these classes: importing them stays as light as the standard library.
    code = "import sys, gladia_live_client._exceptions, gladia_live_client.testing.pytest_plugin; print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert "'httpx'" not in out.stdout


def test_a_live_error_keeps_its_server_message_through_pickle() -> None:
    from gladia_live_client import LiveSessionIncomplete, parse_server_message

    message = parse_server_message(json.dumps({"type": "end_session", "session_id": "abc", "data": {}}))
    error = LiveSessionIncomplete("audio unacknowledged", unacknowledged_bytes=320, bytes_acknowledged=6400)
    copy = pickle.loads(pickle.dumps(error.with_server_message(message)))
    assert copy.server_message == message
    assert (copy.unacknowledged_bytes, copy.bytes_acknowledged) == (320, 6400)
