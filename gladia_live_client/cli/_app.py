"""The parser, the shared settings, and the one place where failures become one line and an exit status."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from .. import GladiaError, GladiaLive, __version__
from .._config import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL
from ._errors import EXIT_ERROR, EXIT_INTERRUPTED, CLIError, describe
from ._output import Consoles, NoteHandler
from ._redacted_output import redacted_stdio

__all__ = ["Context", "build_parser", "run"]

Handler = Callable[["Context"], int]
if TYPE_CHECKING:  # subscriptable for type checkers only
    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]  # what add_subparsers() returns


class Context:
    """What a command gets: its parsed arguments, the consoles, and a client built from the settings."""

    def __init__(self, args: argparse.Namespace, consoles: Consoles) -> None:
        self.args = args
        self.consoles = consoles

    @property
    def api_key(self) -> str | None:
        return _api_key(self.args)

    @property
    def base_url(self) -> str:
        url: str | None = getattr(self.args, "base_url", None) or os.environ.get(BASE_URL_ENV, "").strip()
        return url or DEFAULT_BASE_URL

    def client(self) -> GladiaLive:
        """A `GladiaLive` for the configured server; `CLIError` when there is no key."""
        key = self.api_key
        if key is None:
            raise CLIError(f"no API key: pass --api-key or set {API_KEY_ENV}")
        return GladiaLive(api_key=key, base_url=self.base_url)


def _api_key(args: argparse.Namespace) -> str | None:
    key: str | None = getattr(args, "api_key", None) or os.environ.get(API_KEY_ENV, "").strip()
    return key or None


def _connection_options() -> argparse.ArgumentParser:
    """--api-key and --base-url, accepted before the command and after it (``default=SUPPRESS`` here so that
    a sub-parser does not overwrite a value given before the command)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    group.add_argument(
        "--api-key", default=argparse.SUPPRESS, metavar="KEY", help=f"Gladia API key (default: ${API_KEY_ENV})"
    )
    group.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help=f"API base URL (default: ${BASE_URL_ENV}, else {DEFAULT_BASE_URL})",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    from . import _jobs, _mic, _serve, _stream

    parser = argparse.ArgumentParser(
        prog="gladia-live",
        description="Gladia live speech-to-text from the command line: stream audio, manage jobs, run a local server.",
        epilog="Expected errors print one line on stderr and exit with status 1 (2 for usage errors).",
        parents=[_connection_options()],
    )
    # set_defaults changes the actions themselves, which `parents` shares: the sub-commands get their own copy.
    parser.set_defaults(api_key=None, base_url=None)
    connection = _connection_options()
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _stream.add_parser(commands, connection)
    _mic.add_parser(commands, connection)
    _jobs.add_parser(commands, connection)
    _serve.add_parser(commands)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the command, and turn expected failures into one line on stderr."""
    args = build_parser().parse_args(argv)
    key = _api_key(args)
    secrets = [key] if key else []
    with redacted_stdio(secrets):  # every line written, whoever writes it, is redacted
        return _run(args, secrets)


def _run(args: argparse.Namespace, secrets: list[str]) -> int:
    consoles = Consoles()
    logging.getLogger().addHandler(NoteHandler(consoles))
    context = Context(args, consoles)
    handler: Handler = args.handler
    try:
        return handler(context)
    except KeyboardInterrupt:
        consoles.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`gladia-live jobs list | head`): not an error. Point stdout at devnull so the
        # interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except (CLIError, GladiaError, OSError) as exc:
        consoles.error(describe(exc, base_url=context.base_url, secrets=secrets))
        return EXIT_ERROR
