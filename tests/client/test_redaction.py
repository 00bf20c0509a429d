"""`lib/_redaction`: one redaction for every secret, any length; the registry, the log filter, exception chains."""

from __future__ import annotations

import gc
import json
import logging
import re
import threading
import traceback
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpcore
import httpx
import httpx_retries
import pytest
import websockets

from gladia_live_client import APIConnectionError, GladiaError, GladiaLive, _redaction
from gladia_live_client._redaction import (
    EMITTING_LOGGERS,
    MASK,
    RedactedException,
    RedactingFilter,
    known_secrets,
    mask_url,
    proxy_credentials,
    redact,
    redact_data,
    register,
    scrub_exception,
    url_credentials,
)


class Owner:
    """Something that holds secrets (a client, a session)."""


@pytest.mark.parametrize("secret", ["e", "k3y", "s3cr3t", "sk-live-0123456789abcdefghijklmnopqrstuv"])
def test_a_secret_of_any_length_is_masked_everywhere(secret: str) -> None:
    text = f"Invalid key {secret!r}; the key was {secret}, json {secret!r}"
    masked = redact(text, [secret])
    assert secret not in masked
    assert MASK in masked


def test_a_one_character_secret_masks_every_occurrence_even_in_words() -> None:
    # The choice: exact occurrences are always masked. Ugly for a placeholder key, never a leak.
    assert redact("Invalid key e", ["e"]) == "Invalid k***y ***"


def test_escaped_forms_of_a_secret_are_masked_too() -> None:
    secret = "a'b\\c\"d/e f"
    forms = [repr(secret), json.dumps(secret), quote(secret, safe=""), quote_plus(secret)]
    for form in forms:
        masked = redact(f"echo {form} done", [secret])
        assert masked.startswith("echo ")
        assert masked.endswith(" done")
        assert "c" not in masked.removeprefix("echo ").removesuffix(" done"), (form, masked)


def test_the_longest_secret_wins_when_one_contains_another() -> None:
    assert redact("token abcdef", ["abc", "abcdef"]) == "token ***"


@pytest.mark.parametrize("secret", ["*", "**", "***", "[redacted]", "d]"])
def test_a_secret_the_mask_would_spell_is_still_masked(secret: str) -> None:
    masked = redact(f"x {secret} y *{secret}* [redacted] <redacted>", [secret])
    assert secret not in masked


def test_credential_shapes_are_masked_without_knowing_them() -> None:
    text = (
        "GET wss://api.gladia.io/v2/live?token=tok-123&region=eu; proxy http://bob:pa55@proxy:3128/; "
        "https://u:p@ss@h/x?api_key=k1&sig=s1#f; x-gladia-key: key-9; Authorization: Basic Ym9iOnBhNTU=; "
        "'password': ok?password=pw1"
    )
    masked = redact(text)
    for secret in ("tok-123", "pa55", "bob", "p@ss", "k1", "s1", "key-9", "Ym9iOnBhNTU", "pw1"):
        assert secret not in masked, (secret, masked)
    assert "region=eu" in masked, "a query value that is not a credential stays readable"
    assert "proxy:3128" in masked


def test_redact_data_masks_nested_json_without_recursion() -> None:
    nested: object = "s3cr3t-value"
    for _ in range(50_000):  # far deeper than the interpreter's recursion limit
        nested = [nested]
    masked = redact_data({"a": ("s3cr3t-value", 1, None), "s3cr3t-value": nested}, ["s3cr3t-value"])
    assert masked["a"] == (MASK, 1, None)
    inner = masked[MASK]
    for _ in range(50_000):
        inner = inner[0]
    assert inner == MASK


def test_mask_url_masks_user_information_and_every_query_value() -> None:
    assert mask_url("wss://u:pw@h:1/v2/live?token=abc&x=1#frag") == "wss://***@h:1/v2/live?token=***&x=***#***"
    assert mask_url("wss://[::1/v2/live?token=abc") == "wss://[::1/v2/live?token=***"  # malformed: never raises
    assert mask_url("https://api.gladia.io") == "https://api.gladia.io"


def test_url_credentials_are_the_password_the_token_and_opaque_values() -> None:
    url = "wss://me:p%40ss@h/v2/live?token=a%2Fb&region=eu&session=0123456789abcdef"
    assert url_credentials(url) == ["p%40ss", "p@ss", "a%2Fb", "a/b", "0123456789abcdef"]
    assert url_credentials("wss://h/v2/live?token=t") == ["t"]
    assert url_credentials(None) == []


def test_proxy_credentials_come_from_the_url_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert proxy_credentials("http://u:proxy-pw@proxy:3128") == ["proxy-pw"]
    monkeypatch.setenv("HTTPS_PROXY", "http://u:env-proxy-pw@proxy:3128")
    assert "env-proxy-pw" in proxy_credentials(True)
    assert proxy_credentials(None) == []


def test_a_registered_secret_lives_as_long_as_its_owner() -> None:
    owner, other = Owner(), Owner()
    register(owner, "reg-s3cret", None, "")
    register(other, "reg-s3cret")
    assert "reg-s3cret" in known_secrets()
    assert redact("the reg-s3cret leaked") == "the *** leaked"
    del owner
    gc.collect()
    assert "reg-s3cret" in known_secrets(), "still held by the other owner"
    del other
    gc.collect()
    assert "reg-s3cret" not in known_secrets()
    assert redact("the reg-s3cret leaked") == "the reg-s3cret leaked"


def test_a_finalizer_never_waits_for_the_registry_lock() -> None:
    # The garbage collector may finalize an owner while the registry's lock is held (by this very thread,
    # in the middle of a change): the release is queued, never waited for, and applied by the next change.
    owner = Owner()
    register(owner, "gc-s3cret")
    finished = threading.Event()

    def drop_under_the_lock() -> None:
        nonlocal owner
        with _redaction._lock:
            del owner
            gc.collect()
        finished.set()

    worker = threading.Thread(target=drop_under_the_lock, daemon=True)
    worker.start()
    worker.join(10)
    assert finished.is_set(), "the finalizer waited for the lock"
    register(Owner(), "next-s3cret")  # the next change applies what was queued
    gc.collect()
    assert "gc-s3cret" not in known_secrets()


def test_every_gladia_error_masks_its_message_args_and_custom_text() -> None:
    owner = Owner()
    register(owner, "err-s3cret")

    class Custom(GladiaError):
        def __str__(self) -> str:
            return "custom err-s3cret"

        def __repr__(self) -> str:
            return "Custom(err-s3cret)"

    exc = GladiaError("failed with err-s3cret", {"k": ["err-s3cret"]})
    assert exc.args == ("failed with ***", {"k": ["***"]})
    assert str(Custom()) == "custom ***"
    assert repr(Custom()) == "Custom(***)"
    del owner
    gc.collect()


def test_scrub_exception_masks_the_whole_chain_in_place_or_stands_in() -> None:
    class Opaque(Exception):
        def __init__(self, detail: str) -> None:
            super().__init__()
            self.detail = detail

        def __str__(self) -> str:
            return f"opaque {self.detail}"

    secret = "chain-s3cret"
    try:
        try:
            try:
                raise Opaque(secret)
            except Opaque as inner:
                raise OSError(5, f"io {secret}", f"/tmp/{secret}") from inner
        except OSError:
            raise httpx.RemoteProtocolError(f"illegal status line: {secret}")  # noqa: B904 -- __context__ chain
    except httpx.RemoteProtocolError as caught:
        outer = caught
    assert scrub_exception(outer, [secret]) is outer
    text = "".join(traceback.format_exception(outer))
    assert secret not in text
    assert "illegal status line: ***" in text
    assert isinstance(outer.__context__, OSError)
    assert isinstance(outer.__context__.__cause__, RedactedException), "Opaque's text cannot be masked in place"
    assert "Opaque: opaque ***" in text


def test_a_gladia_error_masks_whatever_is_chained_to_it_when_it_is_read() -> None:
    owner = Owner()
    register(owner, "cause-s3cret")

    class Opaque(Exception):
        def __str__(self) -> str:
            return "opaque cause-s3cret"

    original = KeyError("cause-s3cret")
    try:
        try:
            raise original
        except KeyError as exc:
            try:
                raise Opaque
            except Opaque:
                raise GladiaError("failed") from exc
    except GladiaError as caught:
        error = caught
    text = "".join(traceback.format_exception(error))
    assert "cause-s3cret" not in text
    assert error.__cause__ is original, "masked in place: still the same exception"
    assert isinstance(error.__context__, RedactedException)  # not printed (`from exc`), masked all the same
    assert str(error.__context__).endswith("Opaque: opaque ***")
    del owner, error
    gc.collect()


def test_the_filter_masks_message_arguments_exceptions_and_stacks() -> None:
    owner = Owner()
    register(owner, "log-s3cret")
    record = logging.LogRecord("httpcore.http11", logging.DEBUG, __file__, 1, "got %s", ("log-s3cret",), None)
    try:
        raise ValueError("value log-s3cret")
    except ValueError as exc:
        record.exc_info = (ValueError, exc, exc.__traceback__)
    record.stack_info = "stack log-s3cret"
    assert RedactingFilter().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert "log-s3cret" not in formatted
    assert "got ***" in formatted
    assert "ValueError: value ***" in formatted
    del owner
    gc.collect()


def _logger_names(package: object) -> set[str]:
    names: set[str] = set()
    for source in Path(package.__file__).parent.rglob("*.py"):  # type: ignore[attr-defined]
        text = source.read_text(encoding="utf-8")
        names.update(re.findall(r"""getLogger\(\s*["']([\w.]+)["']\s*\)""", text))
        if re.search(r"getLogger\(\s*__name__\s*\)", text):
            module = source.relative_to(Path(package.__file__).parent.parent).with_suffix("")  # type: ignore[attr-defined]
            names.add(".".join(module.parts))
    return names


def test_the_filter_sits_on_every_logger_the_libraries_write_to() -> None:
    # A filter on "httpcore" would not see "httpcore.http11"'s records: the emitting loggers are listed.
    emitting = set().union(*(_logger_names(package) for package in (httpx, httpcore, httpx_retries, websockets)))
    client_side = {name for name in emitting if not name.startswith("websockets.server")}
    assert client_side <= set(EMITTING_LOGGERS), client_side - set(EMITTING_LOGGERS)
    assert {"gladia_live_client.http", "gladia_live_client.live"} <= set(EMITTING_LOGGERS)
    register(Owner(), "install-now")  # installing is part of registering
    gc.collect()
    for name in EMITTING_LOGGERS:
        assert any(isinstance(item, RedactingFilter) for item in logging.getLogger(name).filters), name


def test_api_connection_error_from_the_package_masks_the_httpx_cause() -> None:
    secret = "conn-s3cret"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"illegal status line: bytearray(b'HTTP/1.1 2{secret}')", request=request)

    with (
        GladiaLive(api_key=secret, transport=httpx.MockTransport(refuse), max_retries=0) as gladia,
        pytest.raises(APIConnectionError) as caught,
    ):
        gladia.get_job("job")
    assert secret not in "".join(traceback.format_exception(caught.value))
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    del gladia, caught
    gc.collect()
