"""The consoles the commands write to, and the small formatting helpers they share.

On a terminal, `rich` draws colours, live displays and progress bars. Anywhere else (a pipe, a file, a test
running the command as a subprocess) the same renderables come out as plain text: no escape codes, no
cursor movement, and lines wide enough that a job id is never folded.
"""

from __future__ import annotations

import datetime
import json
import logging
import sys
from typing import Any

from rich.console import Console, RenderableType

from .._redaction import redact

__all__ = ["Consoles", "NoteHandler", "format_clock", "format_duration", "format_json", "format_time"]

# Plain-text width when the output is not a terminal: wide enough for any row of `jobs list`.
_PLAIN_WIDTH = 200


def _console(*, stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    is_terminal = stream.isatty()
    return Console(
        file=stream,
        stderr=stderr,
        highlight=False,
        emoji=False,
        width=None if is_terminal else _PLAIN_WIDTH,
    )


class Consoles:
    """``out`` for results (stdout) and ``err`` for errors and notes (stderr)."""

    def __init__(self) -> None:
        self.out = _console(stderr=False)
        self.err = _console(stderr=True)

    @property
    def interactive(self) -> bool:
        """Whether stdout is a terminal (live displays and progress bars are drawn only then)."""
        return self.out.is_terminal

    def show(self, renderable: RenderableType) -> None:
        """Print a table or a block to stdout; as plain text, without the spaces rich pads lines with."""
        if self.interactive:
            self.out.print(renderable)
            return
        with self.out.capture() as captured:
            self.out.print(renderable)
        lines = [line.rstrip() for line in captured.get().splitlines()]
        self.out.file.write("\n".join(lines) + "\n")
        self.out.file.flush()

    def error(self, message: str) -> None:
        # markup=False: a server message such as "[request_id=...]" must not be read as rich markup.
        self.err.print(f"error: {message}", markup=False, style="bold red", soft_wrap=not self.err.is_terminal)

    def note(self, message: str) -> None:
        # On a terminal rich wraps between words (the terminal itself would cut words); elsewhere one line.
        self.err.print(message, markup=False, style="yellow", soft_wrap=not self.err.is_terminal)


class NoteHandler(logging.Handler):
    """Shows the library's warnings (a connection lost and resumed, ...) as notes on stderr.

    Errors the library logs are left out: the command reports the failure itself, in one line. Inside a live
    display, rich prints the note above it instead of tearing it.
    """

    def __init__(self, consoles: Consoles) -> None:
        super().__init__(logging.WARNING)
        self._consoles = consoles

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "gladia_live_client" or record.name.startswith("gladia_live_client.")
        return not (ours and record.levelno >= logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            # Records of our loggers and of httpx, httpcore and websockets are masked when emitted; others
            # (a user's, a library's) are masked here, as every line of the command line is.
            self._consoles.note(f"note: {redact(record.getMessage())}")
        except Exception:
            self.handleError(record)


def format_clock(seconds: float) -> str:
    """Audio time as ``MM:SS.s`` (``H:MM:SS.s`` past an hour)."""
    tenths = round(seconds * 10)
    minutes, tenth_seconds = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    clock = f"{minutes:02d}:{tenth_seconds // 10:02d}.{tenth_seconds % 10}"
    return f"{hours}:{clock}" if hours else clock


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {rest:02d} s"


def format_time(value: datetime.datetime | None) -> str:
    """A timestamp in UTC, to the second."""
    if value is None:
        return "-"
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.tzinfo is not None else "")


def format_json(value: Any, *, indent: int | None = None) -> str:
    """JSON as the API would write it (UTF-8 text kept as is; compact unless `indent`)."""
    separators = (",", ": ") if indent else (",", ":")
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, default=str)
