"""What one call may cost: a total deadline and a cap on the size of the answer's body.

A client method opens a `Call` and makes it current (`active`) while it works. The layers under it read the
current call:

* `LimitsTransport` (under the retry and logging transports, so once per attempt) cuts the attempt's
  timeouts to the time left, then reads a JSON answer itself: streamed, decompressed here with a bounded
  output (gzip or deflate only, the encodings the client asks for), stopping as soon as the body passes
  ``max_response_bytes``. What it returns holds the decoded body in memory, so the layers above (the DEBUG
  logging, the retry loop, the parsing) never read the network themselves. A body it had to drop is
  replaced by an empty one and the reason recorded in the ``BODY_PROBLEM`` extension; the client turns that
  into the typed error.
* The network backend of `._network` cuts every single read, write and connect to the time left, so a
  server trickling headers or body one byte at a time still ends at the deadline.
* The retry policy (`._retries`) does not wait for a retry that would start after the deadline.

Downloads (``stream=True``) get their answer's headers checked here and their body counted by
`DownloadCheck` as the caller reads it.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Final, NamedTuple

import httpx

__all__ = [
    "BODY_PROBLEM",
    "BodyProblem",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DOWNLOAD_ACCEPT_ENCODING",
    "JSON_ACCEPT_ENCODING",
    "RETRY_NOTE",
    "AsyncLimitsTransport",
    "BodyReader",
    "Call",
    "DownloadCheck",
    "LimitsTransport",
    "RetryStopped",
    "active",
    "current_call",
]

# A finished one-hour job is about 1.2 MB of JSON: 32 MiB leaves room for a day-long one.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
# Three attempts that each use the whole default read timeout (60 s) plus the waits between them fit.
DEFAULT_DEADLINE: Final = 300.0
# Only what can be decompressed here with a bounded output (httpx would also offer br and zstd when installed).
JSON_ACCEPT_ENCODING: Final = "gzip, deflate"
# Audio is stored compressed already; asking for no encoding keeps Content-Length checkable byte for byte.
DOWNLOAD_ACCEPT_ENCODING: Final = "identity"

# Response extensions set by this package: why the body was dropped, and why the retries stopped early.
BODY_PROBLEM: Final = "gladia_live_client.body_problem"
RETRY_NOTE: Final = "gladia_live_client.retry_note"

_DROPPED_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


class Call:
    """The limits of one call of a client method, and what happened to them."""

    def __init__(self, method: str, path: str, *, deadline: float, max_response_bytes: int, stream: bool) -> None:
        self.method = method
        self.path = path
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self.stream = stream
        self.deadline_hit = False
        self._expires = time.monotonic() + deadline
        self._timeouts: dict[str, float | None] | None = None

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it has passed)."""
        return self._expires - time.monotonic()

    def extend(self, seconds: float) -> None:
        """Move the deadline later: the time a caller spends between two chunks of a download is not the call's."""
        self._expires += seconds

    def describe_deadline(self) -> str:
        return f"{self.method} {self.path}: no answer within the call's deadline of {self.deadline:g} s"

    def check_deadline(self, request: httpx.Request | None = None) -> None:
        """Raise `httpx.ReadTimeout` (marked as the deadline's) if no time is left."""
        if self.remaining() <= 0:
            self.deadline_hit = True
            raise httpx.ReadTimeout("the call's deadline passed", request=request)

    def limit_timeouts(self, request: httpx.Request) -> None:
        """Cut the attempt's connect, read, write and pool timeouts to the time left (each is per operation)."""
        if self._timeouts is None:  # the retry transport sends the same request again: keep the original
            self._timeouts = dict(request.extensions.get("timeout", {}))
        self.check_deadline(request)
        remaining = self.remaining()
        request.extensions["timeout"] = {
            name: remaining if value is None else min(value, remaining) for name, value in self._timeouts.items()
        }


_current: ContextVar[Call | None] = ContextVar("gladia_live_client.call", default=None)


def current_call() -> Call | None:
    return _current.get()


@contextlib.contextmanager
def active(call: Call) -> Iterator[Call]:
    """Make ``call`` current for the layers under the client. Never spans a ``yield`` to the caller."""
    token = _current.set(call)
    try:
        yield call
    finally:
        _current.reset(token)


class RetryStopped(Exception):
    """Raised by the retry policy instead of waiting past the deadline; the client raises what ``outcome`` means.

    ``outcome`` is the last attempt's answer (its body already read) or exception; ``note`` says why.
    """

    def __init__(self, outcome: httpx.Response | Exception, note: str) -> None:
        super().__init__(note)
        self.outcome = outcome
        self.note = note


# -- reading a JSON body ---------------------------------------------------------------------------------------


class BodyProblem(NamedTuple):
    """Why a body was dropped (the value of the ``BODY_PROBLEM`` extension)."""

    reason: str
    too_large: bool

    def __str__(self) -> str:
        return self.reason


class _BodyProblem(Exception):
    """The body cannot be kept: larger than allowed, or not decodable. The message says which, in words."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.problem = BodyProblem(reason, too_large)


class BodyReader:
    """Decode a body chunk by chunk, never holding more than ``limit`` decoded bytes (nor reading more than
    ``limit`` raw ones). I/O-free: `feed` the raw chunks, then `finish`."""

    def __init__(self, headers: httpx.Headers, limit: int) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self.size = 0
        self.raw_size = 0
        tokens = [token.strip().lower() for token in headers.get_list("content-encoding", split_commas=True)]
        codings = [token for token in tokens if token and token != "identity"]
        self._kind = codings[0] if codings else "identity"
        if len(codings) > 1 or self._kind not in ("identity", "gzip", "x-gzip", "deflate"):
            shown = ", ".join(codings)[:80]
            raise _BodyProblem(
                f"its Content-Encoding {shown!r} is not one the client asked for ({JSON_ACCEPT_ENCODING})"
            )
        self._inflater: zlib._Decompress | None = None
        self._head = b""  # deflate: the first bytes, until the zlib header can be told from raw deflate
        if self._kind in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        declared = content_length(headers)
        if self._kind == "identity" and declared is not None and declared > limit:
            raise self._too_large()  # announced too large: refused before reading a byte

    def _too_large(self) -> _BodyProblem:
        return _BodyProblem(_too_large_reason(self._limit), too_large=True)

    def _keep(self, data: bytes) -> None:
        if data:
            self.size += len(data)
            if self.size > self._limit:
                raise self._too_large()
            self._parts.append(data)

    def feed(self, data: bytes) -> None:
        self.raw_size += len(data)
        if self.raw_size > self._limit:  # compressed filler that decodes to little is bounded too
            raise self._too_large()
        if self._kind == "identity":
            self._keep(data)
            return
        if self._inflater is None:  # deflate: a zlib stream, or (as some servers send) a raw deflate one
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            zlib_header = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        try:
            self._inflate(data)
        except zlib.error as exc:
            raise _BodyProblem(f"its {self._kind} body cannot be decompressed ({exc})") from None

    def _inflate(self, data: bytes) -> None:
        assert self._inflater is not None
        while data:
            # One more byte than allowed is enough to know the body is too large: a bomb never expands here.
            self._keep(self._inflater.decompress(data, self._limit - self.size + 1))
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:
                data = self._inflater.unused_data + data
                if not data:
                    return
                if self._kind == "deflate":
                    raise _BodyProblem("its deflate body has data after its end")
                self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip: the next member

    def finish(self) -> bytes:
        if self._kind != "identity" and self.raw_size and (self._inflater is None or not self._inflater.eof):
            raise _BodyProblem(f"its {self._kind} body ends before the end of the compressed data")
        return b"".join(self._parts)


def content_length(headers: httpx.Headers) -> int | None:
    """The announced length of the body, if there is exactly one readable value (h11 checks the framing)."""
    value = headers.get("content-length", "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value) <= 18 else 10**18  # far beyond any limit; int() refuses 4,300+ digits


def _too_large_reason(limit: int) -> str:
    return f"its body is larger than max_response_bytes ({limit:,} bytes)"


def _decoded_response(
    response: httpx.Response, request: httpx.Request, content: bytes, problem: BodyProblem | None
) -> httpx.Response:
    # The body is decoded now: drop the headers that describe it on the wire, as a decoding proxy does.
    headers = [(name, value) for name, value in response.headers.raw if name.lower() not in _DROPPED_HEADERS]
    decoded = httpx.Response(
        response.status_code,
        headers=headers,
        content=b"" if problem is not None else content,
        extensions=dict(response.extensions),
        request=request,
    )
    if problem is not None:
        decoded.extensions[BODY_PROBLEM] = problem
    return decoded


def _in_memory(response: httpx.Response, request: httpx.Request, call: Call) -> httpx.Response:
    # An answer whose body is read already (a mock transport): measure what is there.
    if len(response.content) > call.max_response_bytes:
        problem = BodyProblem(_too_large_reason(call.max_response_bytes), too_large=True)
        return _decoded_response(response, request, b"", problem)
    return response


def _refuse_download(response: httpx.Response) -> None:
    # Checked when the headers arrive: a download is never decompressed (see DOWNLOAD_ACCEPT_ENCODING).
    tokens = [token.strip().lower() for token in response.headers.get_list("content-encoding", split_commas=True)]
    codings = [token for token in tokens if token and token != "identity"]
    if codings:
        shown = ", ".join(codings)[:80]
        response.extensions[BODY_PROBLEM] = BodyProblem(
            f"the server sent the audio with Content-Encoding {shown!r} although the client asked for none "
            f"(Accept-Encoding: {DOWNLOAD_ACCEPT_ENCODING}); refused rather than decompressed without a bound",
            too_large=False,
        )


class _Attempt:
    """The I/O-free part of one attempt under the current call: what both limits transports decide.

    A successful download (`download`) is returned as it is, its headers checked: the caller streams the
    body. Any other answer is closed once handled: `early` when its body is in memory already, else the
    transport reads the raw body, `feed`-ing each chunk until it returns False, and returns `answer`.
    """

    def __init__(self, response: httpx.Response, request: httpx.Request, call: Call) -> None:
        self._response = response
        self._request = request
        self._call = call
        self._reader: BodyReader | None = None
        self._problem: BodyProblem | None = None
        self.early: httpx.Response | None = None
        self.download = call.stream and response.is_success
        if self.download:
            _refuse_download(response)
        elif response.is_stream_consumed:
            self.early = _in_memory(response, request, call)
        else:
            try:
                self._reader = BodyReader(response.headers, call.max_response_bytes)
            except _BodyProblem as exc:
                self._problem = exc.problem

    @property
    def reading(self) -> bool:
        """Whether the body is still wanted."""
        return self._reader is not None and self._problem is None

    def feed(self, chunk: bytes) -> bool:
        """Take one raw chunk; False once the body is refused (the rest need not be read)."""
        assert self._reader is not None
        try:
            self._reader.feed(chunk)
        except _BodyProblem as exc:
            self._problem = exc.problem
            return False
        self._call.check_deadline(self._request)
        return True

    def answer(self) -> httpx.Response:
        """The answer with its decoded body in memory, or an empty body and the ``BODY_PROBLEM`` extension."""
        content = b""
        if self.reading:
            assert self._reader is not None
            try:
                content = self._reader.finish()
            except _BodyProblem as exc:
                self._problem = exc.problem
        return _decoded_response(self._response, self._request, content, self._problem)


class LimitsTransport(httpx.BaseTransport):
    """Apply the current call's limits to each attempt sent through ``inner`` (see the module docstring)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = current_call()
        if call is None:
            return self._inner.handle_request(request)
        call.limit_timeouts(request)
        response = self._inner.handle_request(request)
        attempt = _Attempt(response, request, call)
        if attempt.download:
            return response
        try:
            if attempt.early is not None:
                return attempt.early
            if attempt.reading:
                for chunk in response.iter_raw():
                    if not attempt.feed(chunk):
                        break
            return attempt.answer()
        finally:
            response.close()  # an unread rest closes the connection instead of returning it to the pool

    def close(self) -> None:
        self._inner.close()


class AsyncLimitsTransport(httpx.AsyncBaseTransport):
    """The async twin of `LimitsTransport`. It also bounds each attempt with a cancel scope, so the deadline
    holds inside reads even through a transport whose network backend could not be wrapped."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = current_call()
        if call is None:
            return await self._inner.handle_async_request(request)
        call.limit_timeouts(request)
        import anyio  # only async clients need it

        try:
            with anyio.fail_after(max(call.remaining(), 0.0)):
                return await self._attempt(request, call)
        except TimeoutError:
            call.deadline_hit = True
            raise httpx.ReadTimeout("the call's deadline passed", request=request) from None

    async def _attempt(self, request: httpx.Request, call: Call) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        attempt = _Attempt(response, request, call)
        if attempt.download:
            return response
        try:
            if attempt.early is not None:
                return attempt.early
            if attempt.reading:
                async for chunk in response.aiter_raw():
                    if not attempt.feed(chunk):
                        break
            return attempt.answer()
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._inner.aclose()


class DownloadCheck:
    """Counts the bytes of a download as the caller reads them and compares them with ``Content-Length``."""

    def __init__(self, response: httpx.Response) -> None:
        self.expected = content_length(response.headers)
        self.received = 0

    def feed(self, chunk: bytes) -> str | None:
        """Count ``chunk``; the reason to stop if more arrived than announced."""
        self.received += len(chunk)
        if self.expected is not None and self.received > self.expected:
            return f"the body is longer than the {self.expected:,} bytes its Content-Length announced"
        return None

    def finish(self) -> str | None:
        """The reason to fail if fewer bytes arrived than announced."""
        if self.expected is not None and self.received != self.expected:
            return f"the body ended after {self.received:,} of the {self.expected:,} bytes its Content-Length announced"
        return None
