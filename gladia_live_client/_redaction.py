"""One redaction for every secret the client handles: the API key, session tokens, proxy and URL credentials.

Text is masked in two ways, always both:

* **Known secrets**: the exact values the client holds (the API key, the WebSocket URL's token, a proxy's
  password), as typed and as they appear once escaped by ``repr``, JSON or percent-encoding. Every occurrence
  is masked, whatever the secret's length: a 1-character key turns each of that character in a message into
  ``***``. Real keys are long enough that this never touches ordinary text; a short placeholder key makes
  messages ugly but never shows the key, which is the promise.
* **Shapes**: credentials recognisable without knowing them: the user information of any URL
  (``scheme://user:password@host``) and the value of credential-named parameters (``token=...``,
  ``api_key=...``, ``password=...``, an ``x-gladia-key:`` header, ...).

Known secrets live in a process-wide registry, each for as long as the object that registered it (a client,
a live session): `register` ties it to that object with `weakref.finalize`. A registry rather than passing
secrets around because the records of httpx, httpcore, httpx-retries and websockets are written deep inside
those libraries, where nothing knows the key; `RedactingFilter`, installed on the loggers that actually
emit (a filter on a parent logger never sees its children's records), can only mask what it can look up.
Code that knows its secrets still passes them to `redact` explicitly where it builds a message.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import traceback
import weakref
from collections import Counter, deque
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, unquote, unquote_plus

__all__ = [
    "EMITTING_LOGGERS",
    "MASK",
    "RedactedException",
    "RedactingFilter",
    "chained",
    "install_log_filter",
    "known_secrets",
    "mask_url",
    "proxy_credentials",
    "redact",
    "redact_data",
    "register",
    "scrub_exception",
    "set_chained",
    "url_credentials",
]

T = TypeVar("T")

MASK = "***"
# Used in turn when a secret is part of the mask itself (a key "*"), or masking would spell a secret anew.
_MASKS = (MASK, "[redacted]", "<redacted>")

# Every logger that httpx, httpcore, httpx-retries, websockets (client side) and this package write to.
# tests/client/test_redaction.py checks this list against the installed libraries' sources.
EMITTING_LOGGERS = (
    "gladia_live_client.http",
    "gladia_live_client.live",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "httpx_retries.retry",
    "httpx_retries.transport",
    "websockets.client",
    "websockets.protocol",
)

# Query parameters and header names whose value is a credential, wherever they appear.
_CREDENTIAL_NAMES = (
    r"(?:access_|refresh_|id_|session_|auth_)?token|api[_-]?key|key|x-gladia-key|password|passwd|pwd|secret"
    r"|client_secret|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token|credentials?|auth"
)
_CREDENTIAL_NAME = re.compile(rf"(?i)^(?:{_CREDENTIAL_NAMES})$")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/?#'\"<>]*@")
_CREDENTIAL_PARAMETER = re.compile(rf"(?i)(?<![\w-])((?:{_CREDENTIAL_NAMES})=)[^\s&#'\"<>]*")
_CREDENTIAL_HEADER = re.compile(
    r"(?i)(?<![\w-])((?:x-gladia-key|authorization|proxy-authorization)['\"]?\s*:\s*['\"]?)"
    r"(?:(?:basic|bearer|digest|token)\s+)?[^\s'\",;}]+"
)
# Values of other query parameters of a secret URL count as secrets only when long enough to be opaque:
# masking a `v=1` everywhere would blank every "1" of every message.
_OPAQUE_VALUE_LENGTH = 8


# -- the registry ---------------------------------------------------------------------------------------------

_lock = threading.Lock()
_counts: Counter[str] = Counter()
_registered: tuple[str, ...] = ()  # snapshot of `_counts`, replaced whole: readers never lock
# Changes waiting for whoever holds `_lock`. A finalizer can run in the middle of `_apply` (the garbage
# collector runs where it allocates) or while another thread holds the lock: it must never wait for it.
_pending: deque[tuple[list[str], int]] = deque()


def register(owner: object, *secrets: str | None) -> None:
    """Mask each of `secrets` (and its escaped forms) everywhere for as long as `owner` lives.

    Empty values and None are skipped. Installs the logging filter on first use. Returns once the secrets
    are masked.
    """
    values = sorted({variant for secret in secrets if secret for variant in _variants(secret)})
    if not values:
        return
    install_log_filter()
    _pending.append((values, +1))
    with _lock:
        _apply()
    _apply_pending()
    weakref.finalize(owner, _release, values)


def known_secrets() -> tuple[str, ...]:
    """The registered secrets (with their escaped forms), longest first."""
    return _registered


def _release(values: list[str]) -> None:
    _pending.append((values, -1))
    _apply_pending()


def _apply_pending() -> None:
    # Never blocks: when the lock is held, its holder applies the change (it looks again once it released).
    while _pending and _lock.acquire(blocking=False):
        try:
            _apply()
        finally:
            _lock.release()


def _apply() -> None:
    global _registered
    changed = False
    while _pending:
        values, delta = _pending.popleft()
        changed = True
        for value in values:
            _counts[value] += delta
            if _counts[value] <= 0:
                del _counts[value]
    if changed:
        _registered = tuple(sorted(_counts, key=lambda value: (-len(value), value)))


def _variants(secret: str) -> set[str]:
    # How a secret looks once it went through repr() (an exception's args), JSON or a URL.
    return {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}


# -- text ---------------------------------------------------------------------------------------------------


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every credential shape, every registered secret and each of `secrets` masked."""
    if not isinstance(text, str) or not text:
        return text
    text = _URL_USERINFO.sub(rf"\1{MASK}@", text)
    text = _CREDENTIAL_PARAMETER.sub(rf"\1{MASK}", text)
    text = _CREDENTIAL_HEADER.sub(rf"\1{MASK}", text)
    extra = tuple(sorted({variant for secret in secrets if secret for variant in _variants(secret)}))
    registered = _registered
    # Most texts hold no secret: looking for each is far cheaper than compiling the pattern of them all, which
    # changes whenever a live session opens or ends (a service with hundreds of sessions would compile one
    # per message it masks).
    if not any(value in text for value in registered) and not any(value in text for value in extra):
        return text
    pattern = _pattern(registered, extra)
    if pattern is None or pattern.search(text) is None:
        return text
    return _substitute(text, pattern)


@functools.lru_cache(maxsize=64)
def _pattern(registered: tuple[str, ...], extra: tuple[str, ...]) -> re.Pattern[str] | None:
    values = sorted(set(registered) | set(extra), key=lambda value: (-len(value), value))  # longest first
    return re.compile("|".join(map(re.escape, values))) if values else None


def _substitute(text: str, pattern: re.Pattern[str]) -> str:
    for mask in _MASKS:
        if pattern.search(mask) is not None:
            continue
        masked = pattern.sub(mask, text)
        if pattern.search(masked) is None:
            return masked
    while pattern.search(text) is not None:  # secrets that any mask would spell again: cut them out
        text = pattern.sub("", text)
    return text


def redact_data(value: T, secrets: Iterable[str | None] = ()) -> T:
    """A copy of `value` (str, or lists, tuples and dicts of them, as JSON gives) with every string redacted.

    Other values are kept as they are. Built without recursion: a deeply nested body must not turn masking
    into a `RecursionError`.
    """
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact(value, secrets)  # type: ignore[return-value]
    if not isinstance(value, list | tuple | dict):
        return value
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(child for child in _children(node) if isinstance(child, list | tuple | dict))
    built: dict[int, Any] = {}

    def leaf(item: Any) -> Any:
        if isinstance(item, str):
            return redact(item, secrets)
        return built.get(id(item), item)

    for node in reversed(order):  # children before their parents
        if isinstance(node, dict):
            built[id(node)] = {leaf(key): leaf(item) for key, item in node.items()}
        elif isinstance(node, list):
            built[id(node)] = [leaf(item) for item in node]
        else:
            items = [leaf(item) for item in node]
            built[id(node)] = type(node)(*items) if hasattr(node, "_fields") else type(node)(items)
    return built[id(value)]  # type: ignore[no-any-return]


def _children(node: Any) -> Iterable[Any]:
    return [*node.keys(), *node.values()] if isinstance(node, dict) else node


# -- URLs -----------------------------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """`url` with its user information and every query value (and any fragment) replaced by ``***``.

    For URLs known to carry credentials, such as a live session's ``wss://.../v2/live?token=...``. Never
    raises: a malformed URL is masked as far as it can be read.
    """
    text = str(url)
    base, hash_sign, _ = text.partition("#")
    base, question, query = base.partition("?")
    scheme, has_scheme, rest = base.partition("://")
    if has_scheme:
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            authority = MASK + "@" + authority.rpartition("@")[2]
        base = f"{scheme}://{authority}{slash}{path}"
    if question:
        base += "?" + "&".join(f"{pair.partition('=')[0]}={MASK}" for pair in query.split("&") if pair)
    if hash_sign:
        base += "#" + MASK
    return redact(base)


def url_credentials(url: str | None) -> list[str]:
    """The credentials in `url`: its password (or lone user name), and its credential-named query values.

    Other query values count too when they are long enough to be opaque (8 characters or more); short ones
    (``v=1``) are not secrets, and masking them everywhere would blank ordinary text. Both the raw
    (percent-encoded) and the decoded form of each value are returned.
    """
    if not url:
        return []
    found: list[str] = []
    base = str(url).partition("#")[0]
    base, _, query = base.partition("?")
    authority = base.partition("://")[2].partition("/")[0]
    if "@" in authority:
        userinfo = authority.rpartition("@")[0]
        user, has_password, password = userinfo.partition(":")
        found.extend([password, unquote(password)] if has_password else [user, unquote(user)])
    for pair in query.split("&"):
        name, _, raw = pair.partition("=")
        if raw and (_CREDENTIAL_NAME.match(unquote_plus(name)) or len(unquote_plus(raw)) >= _OPAQUE_VALUE_LENGTH):
            found.extend([raw, unquote_plus(raw)])
    return [value for value in dict.fromkeys(found) if value]


def proxy_credentials(proxy: str | bool | None) -> list[str]:
    """The credentials of a proxy setting: a proxy URL, or (``True``) the proxies of the environment."""
    if isinstance(proxy, str):
        return url_credentials(proxy)
    if proxy is True:
        import urllib.request  # noqa: PLC0415 -- on use: it costs more to import than all of this module

        return [secret for value in urllib.request.getproxies().values() for secret in url_credentials(value)]
    return []


# -- exceptions -----------------------------------------------------------------------------------------------


class RedactedException(Exception):
    """Stands in a traceback for an exception whose text held a secret that could not be masked in place.

    Its message names the original type; it keeps the original's traceback and chain.
    """


def scrub_exception(exc: BaseException, secrets: Iterable[str | None] = ()) -> BaseException:
    """Mask secrets in `exc` and in every exception chained to it (``__cause__``, ``__context__``), in place.

    The arguments (and an `OSError`'s file names and message, and notes) are redacted. A chained exception
    whose ``str`` or ``repr`` still shows a secret (its text comes from other attributes) is replaced in the
    chain by a `RedactedException` with the masked text. Returns `exc`, or its stand-in when `exc` itself
    could not be masked in place.
    """
    known = tuple(secret for secret in secrets if secret)
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        _scrub_in_place(current, known)
        for link in _LINKS:  # the slots themselves: a subclass may mask them on reading (see GladiaError)
            chained = link.__get__(current)
            if chained is None:
                continue
            _scrub_in_place(chained, known)
            if _still_shows_secret(chained, known):
                chained = _stand_in(chained, known)
                link.__set__(current, chained)
            pending.append(chained)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
    if _still_shows_secret(exc, known):
        return _stand_in(exc, known)
    return exc


# The C-level slots behind __cause__ and __context__: reading them never runs a subclass's property.
_SLOTS: dict[str, Any] = {name: vars(BaseException)[name] for name in ("__cause__", "__context__")}
_LINKS = tuple(_SLOTS.values())


def chained(exc: BaseException, link: str) -> BaseException | None:
    """``exc.__cause__`` or ``exc.__context__`` (`link`), masked by `scrub_exception` (stand-in stored)."""
    slot = _SLOTS[link]
    original: BaseException | None = slot.__get__(exc)
    if original is None:
        return None
    masked = scrub_exception(original)
    if masked is not original:
        slot.__set__(exc, masked)
    return masked


def set_chained(exc: BaseException, link: str, value: BaseException | None) -> None:
    """Set ``exc.__cause__`` or ``exc.__context__`` (`link`) in its slot."""
    _SLOTS[link].__set__(exc, value)


def _scrub_in_place(exc: BaseException, secrets: tuple[str, ...]) -> None:
    try:
        exc.args = redact_data(exc.args, secrets)
        if isinstance(exc, OSError):
            for name in ("strerror", "filename", "filename2"):
                value = getattr(exc, name, None)
                if isinstance(value, str):
                    setattr(exc, name, redact(value, secrets))
        notes = getattr(exc, "__notes__", None)
        if isinstance(notes, list):
            exc.__notes__ = redact_data(notes, secrets)
    except (AttributeError, TypeError):  # an exception type with read-only attributes: judged by its text
        pass


def _text_of(exc: BaseException) -> str:
    try:
        return f"{exc}\n{exc!r}"
    except Exception as failure:  # a broken __str__ shows nothing, hence no secret
        return type(failure).__name__


def _still_shows_secret(exc: BaseException, secrets: tuple[str, ...]) -> bool:
    text = _text_of(exc)
    return redact(text, secrets) != text


def _stand_in(exc: BaseException, secrets: tuple[str, ...]) -> RedactedException:
    try:
        detail = str(exc)
    except Exception:
        detail = ""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    stand_in = RedactedException(f"{name}: {redact(detail, secrets)}" if detail else name)
    stand_in.__cause__ = _SLOTS["__cause__"].__get__(exc)
    stand_in.__context__ = _SLOTS["__context__"].__get__(exc)
    stand_in.__suppress_context__ = exc.__suppress_context__
    stand_in.__traceback__ = exc.__traceback__
    return stand_in


# -- logging --------------------------------------------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, exception text and stack before any handler sees it.

    Never drops a record. The message is formatted once (``msg % args``) and stored masked. An exception
    attached to the record is masked in place (see `scrub_exception`); if its formatted traceback would still
    show a secret, the masked text replaces it (``exc_text``, with ``exc_info`` cleared).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it; masking cannot help
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            safe = scrub_exception(exc)
            text = "".join(traceback.format_exception(safe))
            if safe is not exc or redact(text) != text:
                record.exc_info, record.exc_text = None, redact(text).rstrip("\n")
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()
_install_lock = threading.Lock()
_installed = False


def install_log_filter() -> None:
    """Add `RedactingFilter` to every logger of `EMITTING_LOGGERS` (once)."""
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        for name in EMITTING_LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
        _installed = True
