"""Every line the command line writes goes through the package's redaction, whatever wrote it.

Results (a job's fields, transcripts), notes, errors, `print` calls and log records all reach stdout or
stderr; while a command runs both are wrapped in `RedactingStream`, so a secret echoed by a server cannot
reach the terminal by a path nobody thought of. Text is redacted a whole line at a time (or a whole flushed
write, which is how rich draws its live display), so a secret is never split between two writes.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from .._redaction import redact, scrub_exception

__all__ = ["RedactingStream", "redacted_stdio"]


class RedactingStream(io.TextIOBase):
    """A text stream that redacts what it is given before writing it to `stream`.

    Complete lines are written at once; the rest of a line waits for its end or for `flush`.
    """

    def __init__(self, stream: TextIO, secrets: Sequence[str]) -> None:
        super().__init__()
        self._stream = stream
        self._secrets = tuple(secrets)
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            lines, _, self._pending = self._pending.rpartition("\n")
            self._stream.write(redact(lines + "\n", self._secrets))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._stream.write(redact(pending, self._secrets))
        self._stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors


@contextlib.contextmanager
def redacted_stdio(secrets: Sequence[str]) -> Iterator[None]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` in `RedactingStream` for the block.

    An exception leaving the block is masked in place (see `scrub_exception`) before the interpreter prints
    its traceback.
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout = RedactingStream(out, secrets)
    sys.stderr = RedactingStream(err, secrets)
    try:
        yield
    except BaseException as exc:
        scrub_exception(exc, secrets)
        raise
    finally:
        wrapped = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = out, err
        for stream in wrapped:
            with contextlib.suppress(OSError, ValueError):  # a reader gone (broken pipe) or a closed stream
                stream.flush()
