"""`AsyncGladiaLive`: the asynchronous client of the six ``/v2/live`` REST operations.

Each method checks its arguments and builds the request (`BaseGladiaLive`, shared with the other twin), sends
it through a `httpx.AsyncClient` whose transport retries (see `._retries`) and logs (see `._logging`), and
returns the generated model or raises a typed `APIError`. Only the sending is written here.

``_client.py`` (the sync twin) is generated from ``_async_client.py`` by ``scripts/unasync.py`` (``make
unasync``): edit ``_async_client.py``, never ``_client.py``; ``make test`` fails when they drift apart.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

import httpx

from . import _limits, _validation
from ._base_client import BaseGladiaLive
from ._caller_client import AsyncCallerClientTransport
from ._concurrency import async_offload, async_read_chunk
from ._config import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._download import Destination, open_sink
from ._exceptions import ConfigurationError, ConfigurationTypeError
from ._logging import AsyncLoggingTransport
from ._options import CallOptions, RequestOptions
from ._paging import PageWalk
from ._proxies import AsyncProxyTransport, environment_proxy_mounts
from ._raw_response import async_raw_wrapper

if TYPE_CHECKING:
    from ._generated.models.init_streaming_response import InitStreamingResponse
    from ._generated.models.list_streaming_response import ListStreamingResponse
    from ._generated.models.patch_request_params_dto import PatchRequestParamsDTO
    from ._generated.models.streaming_request import StreamingRequest
    from ._generated.models.streaming_response import StreamingResponse
    from ._generated.models.streaming_supported_regions import StreamingSupportedRegions
    from ._live import AsyncLiveSession, LiveOptions
    from ._live._opening import FormatLike, RequestLike
    from ._validation import JobId
    from .types import StreamingRequestDict

__all__ = ["AsyncGladiaLive", "AsyncGladiaLiveWithRawResponse"]


class AsyncGladiaLive(BaseGladiaLive):
    """Asynchronous client for Gladia's live API v2 (REST operations). Use it as an async context manager.

    ::

        async with AsyncGladiaLive() as gladia:      # GLADIA_API_KEY from the environment
            session = await gladia.init_session({"encoding": "wav/pcm", "sample_rate": 16000})
            job = await gladia.get_job(session.id)

    Args:
        api_key: the Gladia API key; default: the ``GLADIA_API_KEY`` environment variable. Missing: `ConfigurationError`.
        base_url: default: ``GLADIA_API_URL``, else ``https://api.gladia.io``.
        timeout: seconds (one value for connect, read, write and pool) or an `httpx.Timeout`;
            default 60 s, 10 s to connect. Each applies to one network operation (one read, ...).
        max_retries: retries after the first attempt (default 2; 0 disables); see the retry policy in README.
        deadline: seconds one call may take in all (default 300): connecting, every attempt, the waits between
            retries and reading the body; `DeadlineExceededError` after it. Each timeout is cut to the time left.
        max_response_bytes: the largest JSON body accepted, counted after decompression (default 32 MiB);
            `ResponseTooLargeError` above it. Audio downloads are not limited by it.
        transport: an `httpx.AsyncBaseTransport` to send through (a proxy, custom TLS, a mock in tests, a shared
            connection pool). Retries and logging wrap it; closing the client does not close it. A transport
            passed here is used as is: the proxy environment variables are then not read.
        http_client: an `httpx.AsyncClient` of yours to send through (not with ``transport``). The client adds
            its API key, User-Agent, base URL, timeouts, deadline, retries, limits, logging and typed errors to
            each request; your client's transport, proxies, TLS settings, auth, cookies and event hooks apply,
            and its default headers are added where the request has no header of the same name. Its own
            ``base_url``, ``params``, ``timeout`` and redirect setting are not used. Closing this client never
            closes it.

    Every REST method also takes the per-call options ``timeout``, ``max_retries``, ``deadline``,
    ``extra_headers`` and ``extra_query`` (see `RequestOptions`): each overrides this client's setting for that
    call only. `with_options` returns a configured copy sharing the connection pool; `with_raw_response` gives
    the HTTP response of a successful call next to its result.
        trust_env: read ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (and the other
            environment settings httpx reads) as httpx does; default True. False connects directly, live
            sessions included (unless their `LiveOptions` name a proxy).
        allow_cleartext_websocket: let `live()`/`attach_live()` connect to a ``ws://`` session URL answered by an
            https API (the token then travels unencrypted); default False: `InsecureSessionURLError`. For local
            testing only; an http ``base_url`` may always answer ``ws://``.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = True,
        allow_cleartext_websocket: bool = False,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        from . import _network  # httpcore, which httpx imports on first use too

        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ConfigurationTypeError(
                f"transport must be an httpx.AsyncBaseTransport, not {type(transport).__name__}"
            )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationTypeError(f"http_client must be an httpx.AsyncClient, not {type(http_client).__name__}")
        if http_client is not None and transport is not None:
            raise ConfigurationError("pass transport= or http_client=, not both: the http_client has its transport")
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            trust_env=trust_env,
            allow_cleartext_websocket=allow_cleartext_websocket,
        )
        if http_client is not None:
            # The caller's client sends; its transport is its own, so the deadline is checked between reads
            # (by the limits transport) rather than inside each one (see ._network).
            network: httpx.AsyncBaseTransport = AsyncCallerClientTransport(http_client)
        else:
            network = transport or httpx.AsyncHTTPTransport(trust_env=self._config.trust_env)
            _network.install(network)  # the deadline inside every read (see ._network)
        owned = transport is None and http_client is None
        inner = AsyncLoggingTransport(_limits.AsyncLimitsTransport(network), owns_inner=owned)
        # Proxies from the environment, as httpx would use them, unless the caller's transport or client
        # decides; each gets the same limits, logging and retries as the direct transport.
        mounts = None
        if owned and self._config.trust_env:
            mounts = environment_proxy_mounts(
                AsyncProxyTransport,
                lambda proxied: self._retry.transport(
                    AsyncLoggingTransport(_limits.AsyncLimitsTransport(proxied), owns_inner=True)
                ),
            )
        self._http = httpx.AsyncClient(transport=self._retry.transport(inner), mounts=mounts, **self._httpx_options())

    # -- lifecycle -----------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connection pool. The client (and its `with_options` copies) cannot be used afterwards.

        A `with_options` copy closes nothing: the pool is the original's. A caller's ``http_client`` is never
        closed.
        """
        if self._owns_http:
            await self._http.aclose()

    @property
    def with_raw_response(self) -> AsyncGladiaLiveWithRawResponse:
        """The REST operations returning a `RawResponse`: status, headers and request id, then `parse()`."""
        return AsyncGladiaLiveWithRawResponse(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- operations ----------------------------------------------------------------------------------------

    async def init_session(
        self,
        request: StreamingRequest | StreamingRequestDict,
        region: StreamingSupportedRegions | str | None = None,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> InitStreamingResponse:
        """Start a live session (``POST /v2/live``): its job id, and the WebSocket URL to stream audio to.

        ``request`` is a `StreamingRequest` or a dict of its JSON fields (`StreamingRequestDict`); only the fields
        set are sent, so the server's defaults apply to the others. A dict key the spec does not declare, at any
        level, raises `InvalidRequestError` before anything is sent; ``extra_body`` (JSON fields merged into the
        body after that check, objects key by key) sends a field newer than the spec. The returned ``url``
        carries a secret token: do not log it.
        Never retried in a way that could create a second session (see the retry policy).
        """
        sent = self._init_session_request(request, region, extra_body)
        call = self._options(options)
        return self._read_init_session(await self._send(sent, call, create_session=True))

    async def live(
        self,
        request: StreamingRequest | StreamingRequestDict,
        region: StreamingSupportedRegions | str | None = None,
        *,
        options: LiveOptions | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncLiveSession:
        """Start a live session (``POST /v2/live``) and return it, ready to stream audio (see README "Live sessions").

        Acknowledgements are turned on in the request sent (a copy; the caller's is untouched): the session
        keeps audio until the server acknowledges it, so reconnections lose nothing. ``request`` and
        ``extra_body`` are checked and merged as by `init_session`.
        """
        from ._live._opening import open_async_session

        return await open_async_session(self, _validation.streaming_request(request, extra_body), region, options)

    async def attach_live(
        self,
        session: InitStreamingResponse,
        request: FormatLike | RequestLike = None,
        *,
        options: LiveOptions | None = None,
    ) -> AsyncLiveSession:
        """Attach to an existing live session from its ``init_session`` response (its id and URL), without a POST.

        ``request`` is the session's init request (or an `AudioFormat`); when omitted, the audio format is read
        from the job (``GET /v2/live/{id}``).
        """
        from ._live._opening import attach_async_session

        return await attach_async_session(self, session, request, options)

    async def get_job(self, id: JobId, **options: Unpack[RequestOptions]) -> StreamingResponse:
        """The job of a live session (``GET /v2/live/{id}``): status, parameters, results once done."""
        request = self._get_job_request(id)
        return self._read_get_job(await self._send(request, self._options(options)))

    async def list_jobs(
        self,
        *,
        offset: int | None = None,
        limit: int | None = None,
        date: datetime.date | str | None = None,
        before_date: datetime.datetime | str | None = None,
        after_date: datetime.datetime | str | None = None,
        status: str | Iterable[str] | None = None,
        custom_metadata: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> ListStreamingResponse:
        """One page of live jobs (``GET /v2/live``); `iter_jobs` walks every page.

        Filters: ``date`` a `datetime.date` (or ``"YYYY-MM-DD"``); ``before_date``/``after_date`` timezone-aware
        `datetime.datetime` (or ISO 8601 strings); ``status`` one or several of ``queued``, ``processing``,
        ``done``, ``error``; ``custom_metadata`` a mapping matched against the jobs' custom metadata (at most
        2000 characters once serialised).
        """
        filters = _validation.list_filters(
            offset=offset,
            limit=limit,
            date=date,
            before_date=before_date,
            after_date=after_date,
            status=status,
            custom_metadata=custom_metadata,
        )
        request = self._list_jobs_request(filters)
        return self._read_list_jobs(await self._send(request, self._options(options)))

    def iter_jobs(
        self,
        *,
        limit: int | None = None,
        date: datetime.date | str | None = None,
        before_date: datetime.datetime | str | None = None,
        after_date: datetime.datetime | str | None = None,
        status: str | Iterable[str] | None = None,
        custom_metadata: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[StreamingResponse]:
        """Every job matching the filters (as in `list_jobs`), page after page; ``limit`` is the page size.

        Each page is requested with the same filters and the offset of the previous page's ``next`` link.
        Arguments are checked at once; requests are sent as the iterator is consumed. A ``next`` link that does
        not move the offset forward, or a page made only of jobs already returned, raises
        `APIResponseValidationError`: links that loop cannot make the walk endless. The per-call options
        apply to each page's request (``deadline`` to each page, not to the whole walk).
        """
        filters = _validation.list_filters(
            limit=limit,
            date=date,
            before_date=before_date,
            after_date=after_date,
            status=status,
            custom_metadata=custom_metadata,
        )
        self._list_jobs_request(filters)  # check now, not at the first next()
        return self._iter_pages(filters, self._options(options))

    async def delete_job(self, id: JobId, **options: Unpack[RequestOptions]) -> None:
        """Delete a job and its data (``DELETE /v2/live/{id}``); 403 while it is still being processed."""
        request = self._delete_job_request(id)
        self._read_delete_job(await self._send(request, self._options(options)))

    async def patch_job(
        self,
        id: JobId,
        metadata: Mapping[str, Any] | PatchRequestParamsDTO,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Attach debugging metadata to a job (``PATCH /v2/live/{id}``), shown as its ``post_session_metadata``.

        ``metadata`` is a JSON object of at most 100 kB once serialised (``extra_body`` merged in, objects key
        by key).
        """
        request = self._patch_job_request(id, metadata, extra_body)
        self._read_patch_job(await self._send(request, self._options(options)))

    async def download_audio(
        self,
        id: JobId,
        destination: Destination,
        *,
        chunk_size: int | None = None,
        fsync: bool = False,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Stream the job's recording (``GET /v2/live/{id}/file``, a WAV file) to a path or binary file.

        Memory stays constant whatever the size. A path is written to a temporary file beside it and renamed
        into place once complete, so a failure never leaves a partial file at the path. ``fsync=True`` also
        flushes the file to disk before the rename, so the download survives a power loss (slower: the
        operating system's cache no longer absorbs the write). Returns the number of bytes written.

        A path must be missing or a regular file (a symbolic link is followed and its target replaced): a
        directory, FIFO, device or socket raises `InvalidRequestError` before any request. A replaced file keeps
        its mode (and its owner where permitted); a new one gets the umask's mode, like ``open()``.

        ``deadline`` (default: the client's) bounds the whole transfer, the time spent writing excepted: pass
        more for a long recording over a slow link. The server is asked for no content encoding, and a body
        shorter than its ``Content-Length`` is an error (no partial file is left at a path).
        """
        chunks = self.iter_audio(id, chunk_size=chunk_size, **options)  # checks the arguments first
        # The sink's blocking calls are offloaded: to a worker thread in the async client, so that a slow disk
        # never blocks the event loop; the sync client makes them in the caller's thread.
        sink = await async_offload(functools.partial(open_sink, destination, fsync=fsync))
        try:
            async with contextlib.aclosing(chunks):
                async for chunk in chunks:
                    await async_offload(sink.write, chunk)
            await async_offload(sink.commit)
        except BaseException:
            # In the caller's thread, not offloaded: a cancelled download must still remove its temporary file.
            sink.abort()
            raise
        return sink.written

    def iter_audio(
        self, id: JobId, *, chunk_size: int | None = None, **options: Unpack[RequestOptions]
    ) -> AsyncGenerator[bytes]:
        """The job's recording as a stream of byte chunks (``GET /v2/live/{id}/file``).

        Exhaust it or ``await aclose()`` it to release the connection; arguments are checked at once.
        ``deadline`` (default: the client's) bounds the time spent inside the iterator, not the time your
        loop spends between chunks.
        """
        request = self._get_audio_request(id)
        return self._stream(request, _validation.check_chunk_size(chunk_size), self._options(options))

    # -- plumbing ------------------------------------------------------------------------------------------

    async def _send(
        self, request: dict[str, Any], options: CallOptions, *, create_session: bool = False
    ) -> httpx.Response:
        """The answer to ``request`` (its body read), within the call's limits; transport failures typed."""
        sent = self._prepare(request, options, create_session=create_session)
        call = self._new_call(request, options)
        try:
            with _limits.active(call):
                return self._note(await self._http.request(**sent))
        except _limits.RetryStopped as stop:
            return self._note(self._stopped(stop, request, call))
        except httpx.RequestError as exc:
            raise self._connection_error(exc, request, call) from exc

    async def _iter_pages(self, filters: dict[str, Any], options: CallOptions) -> AsyncIterator[StreamingResponse]:
        walk = PageWalk()
        next_filters: dict[str, Any] | None = filters
        while next_filters is not None:
            response = await self._send(self._list_jobs_request(next_filters), options)
            page = self._read_list_jobs(response)
            walk.check(page, next_filters, response)
            for job in page.items:
                yield job
            next_filters = self._next_page_filters(page, next_filters, response)

    async def _stream(
        self, request: dict[str, Any], chunk_size: int | None, options: CallOptions
    ) -> AsyncGenerator[bytes]:
        call = self._new_call(request, options, stream=True)
        try:
            with _limits.active(call):
                response = await self._http.send(
                    self._http.build_request(**self._prepare(request, options)), stream=True
                )
        except _limits.RetryStopped as stop:
            response = self._stopped(stop, request, call)
        except httpx.RequestError as exc:
            raise self._connection_error(exc, request, call) from exc
        self._note(response)  # headers only: the body is the stream
        try:
            check = self._check_download(response)  # an error body was read by the limits transport
            chunks = response.aiter_bytes(chunk_size)  # as sent: a content encoding was refused above
            while True:
                try:
                    chunk = await async_read_chunk(chunks, call)
                except httpx.RequestError as exc:
                    raise self._connection_error(exc, request, call) from exc
                if chunk is None:
                    break
                if (problem := check.feed(chunk)) is not None:
                    raise self._download_error(problem, request)
                paused = time.monotonic()
                yield chunk
                call.extend(time.monotonic() - paused)  # the caller's time between chunks is not the call's
            if (problem := check.finish()) is not None:
                raise self._download_error(problem, request)
        finally:
            await response.aclose()


class AsyncGladiaLiveWithRawResponse:
    """`AsyncGladiaLive`'s REST operations, each returning a `RawResponse` of its usual result.

    Get it from ``client.with_raw_response``. Errors raise the usual typed exceptions. ``download_audio``'s raw
    response holds the download's headers, and `RawResponse.parse` the number of bytes written. ``iter_jobs``
    (many requests) and ``iter_audio`` (whose headers arrive with its first chunk) are not offered: use
    ``list_jobs`` page by page, or ``download_audio``.
    """

    def __init__(self, client: AsyncGladiaLive) -> None:
        self.init_session = async_raw_wrapper(client.init_session)
        self.get_job = async_raw_wrapper(client.get_job)
        self.list_jobs = async_raw_wrapper(client.list_jobs)
        self.delete_job = async_raw_wrapper(client.delete_job)
        self.patch_job = async_raw_wrapper(client.patch_job)
        self.download_audio = async_raw_wrapper(client.download_audio)
