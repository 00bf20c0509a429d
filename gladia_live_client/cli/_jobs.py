"""`gladia-live jobs list|get|delete|patch|download`: the REST operations on live jobs."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn
from rich.table import Table
from rich.text import Text

from .._download import open_sink
from .._live import AudioFormatError, read_wav_header
from ..models import ListJobsStatusItem, StreamingResponse
from ..types import Unset
from ._app import Context
from ._output import format_duration, format_json, format_time
from ._parsing import json_object, non_negative_int, read_json_object

if TYPE_CHECKING:
    from ._app import Subcommands

__all__ = ["add_parser"]

_STATUS_STYLES = {"done": "green", "processing": "yellow", "queued": "blue", "error": "red"}


def add_parser(commands: Subcommands, connection: argparse.ArgumentParser) -> None:
    jobs = commands.add_parser("jobs", help="list, show, delete, annotate or download live jobs")
    actions = jobs.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list",
        parents=[connection],
        help="list jobs, newest first",
        description="List live jobs, newest first: one page (--limit, --offset), or every page with --all.",
    )
    listing.add_argument(
        "--status",
        action="append",
        choices=[status.value for status in ListJobsStatusItem],
        help="only jobs in this status (repeat for several)",
    )
    listing.add_argument("--date", metavar="YYYY-MM-DD", help="only jobs created on this day (UTC)")
    listing.add_argument("--before", metavar="TIME", help="only jobs created before this ISO 8601 time (with zone)")
    listing.add_argument("--after", metavar="TIME", help="only jobs created after this ISO 8601 time (with zone)")
    listing.add_argument(
        "--metadata", type=json_object, metavar="JSON", help="only jobs whose custom metadata holds these values"
    )
    listing.add_argument("--limit", type=non_negative_int, metavar="N", help="jobs per page (default: the server's)")
    pages = listing.add_mutually_exclusive_group()
    pages.add_argument("--offset", type=non_negative_int, metavar="N", help="skip the N newest matching jobs")
    pages.add_argument("--all", action="store_true", help="follow the pages to the last matching job")
    listing.add_argument("--json", action="store_true", help="one job per line as JSON")
    listing.set_defaults(handler=list_jobs)

    get = actions.add_parser("get", parents=[connection], help="show one job", description="Show one live job.")
    get.add_argument("id", metavar="ID", help="the job id")
    get.add_argument("--json", action="store_true", help="the job as the API returns it, as JSON")
    get.set_defaults(handler=get_job)

    delete = actions.add_parser(
        "delete",
        parents=[connection],
        help="delete a job and its data",
        description="Delete a live job and its data (refused while it is still processing).",
    )
    delete.add_argument("id", metavar="ID", help="the job id")
    delete.set_defaults(handler=delete_job)

    patch = actions.add_parser(
        "patch",
        parents=[connection],
        help="attach debugging metadata to a job",
        description="Attach metadata (a JSON object, at most 100 kB) to a job; it shows as post_session_metadata.",
    )
    patch.add_argument("id", metavar="ID", help="the job id")
    body = patch.add_mutually_exclusive_group(required=True)
    body.add_argument("--file", type=Path, metavar="PATH", help="a file holding the JSON object")
    body.add_argument("--data", type=json_object, metavar="JSON", help="the JSON object itself")
    patch.set_defaults(handler=patch_job)

    download = actions.add_parser(
        "download",
        parents=[connection],
        help="download a job's recording (WAV)",
        description="Download the recording of a live job as a WAV file (written only once complete).",
    )
    download.add_argument("id", metavar="ID", help="the job id")
    download.add_argument("-o", "--output", type=Path, metavar="PATH", help="where to save it (default: ID.wav)")
    download.set_defaults(handler=download_audio)


# -- list ----------------------------------------------------------------------------------------------------


def list_jobs(context: Context) -> int:
    args = context.args
    out = context.consoles.out
    filters: dict[str, Any] = {
        "limit": args.limit,
        "date": args.date,
        "before_date": args.before,
        "after_date": args.after,
        "status": args.status,
        "custom_metadata": args.metadata,
    }
    with context.client() as gladia:
        more: str | None = None
        if args.all:
            jobs: Iterable[StreamingResponse] = gladia.iter_jobs(**filters)
        else:
            page = gladia.list_jobs(offset=args.offset, **filters)
            jobs = page.items
            if page.next_ is not None and page.items:
                more = f"--offset {(args.offset or 0) + len(page.items)}"
        if args.json:
            for job in jobs:
                print(format_json(job.to_dict()), flush=True)
            return 0
        table = _jobs_table(jobs)
    if table.row_count == 0:
        out.print("No jobs.")
        return 0
    context.consoles.show(table)
    summary = f"{table.row_count} job{'s' if table.row_count != 1 else ''}"
    if more is not None:
        summary += f"; more with {more} or --all"
    out.print(summary, style="dim", markup=False)
    return 0


def _jobs_table(jobs: Iterable[StreamingResponse]) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("STATUS", no_wrap=True)
    table.add_column("CREATED", no_wrap=True)
    table.add_column("AUDIO", justify="right", no_wrap=True)
    table.add_column("METADATA", overflow="ellipsis", max_width=60)
    for job in jobs:
        table.add_row(
            str(job.id),
            _status(job),
            format_time(job.created_at),
            format_duration(_audio_duration(job)),
            Text(_custom_metadata(job) or "", style="dim"),
        )
    return table


# -- get -----------------------------------------------------------------------------------------------------


def get_job(context: Context) -> int:
    args = context.args
    with context.client() as gladia:
        job = gladia.get_job(args.id)
    if args.json:
        print(format_json(job.to_dict(), indent=2), flush=True)
    else:
        context.consoles.show(_job_view(job))
    return 0


def _job_view(job: StreamingResponse) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("ID", str(job.id))
    grid.add_row("Status", _status(job))
    grid.add_row("Created", format_time(job.created_at))
    if isinstance(job.completed_at, Unset) or job.completed_at is None:
        completed = "-"
    else:
        completed = format_time(job.completed_at)
    grid.add_row("Completed", completed)
    if not isinstance(job.error_code, Unset) and job.error_code is not None:
        grid.add_row("Error code", str(job.error_code))
    grid.add_row("Audio", format_duration(_audio_duration(job)))
    params = job.request_params
    if params is not None and not isinstance(params, Unset):
        described = [
            str(value)
            for value in (params.encoding, params.bit_depth, params.sample_rate, params.channels)
            if not isinstance(value, Unset)
        ]
        grid.add_row("Format", Text(" / ".join(described) + "  (encoding / bits / Hz / channels)"))
    metadata = _custom_metadata(job)
    if metadata:
        grid.add_row("Metadata", Text(metadata))
    if not isinstance(job.post_session_metadata, Unset) and job.post_session_metadata.to_dict():
        grid.add_row("Post-session", Text(format_json(job.post_session_metadata.to_dict())))
    result = job.result
    transcription = None if result is None or isinstance(result, Unset) else result.transcription
    if transcription is None or isinstance(transcription, Unset):
        return grid
    grid.add_row("Utterances", str(len(transcription.utterances)))
    return Group(grid, Text(""), Text("Transcript", style="bold"), Text(transcription.full_transcript.strip()))


# -- delete, patch -------------------------------------------------------------------------------------------


def delete_job(context: Context) -> int:
    with context.client() as gladia:
        gladia.delete_job(context.args.id)
    context.consoles.out.print(f"Deleted job {context.args.id}.", markup=False)
    return 0


def patch_job(context: Context) -> int:
    args = context.args
    metadata: dict[str, Any] = read_json_object(args.file) if args.file is not None else args.data
    with context.client() as gladia:
        gladia.patch_job(args.id, metadata)
    keys = ", ".join(sorted(metadata)) or "none"
    context.consoles.out.print(
        f"Patched job {args.id}: post_session_metadata set (keys: {keys}).", markup=False, soft_wrap=True
    )
    return 0


# -- download ------------------------------------------------------------------------------------------------


def download_audio(context: Context) -> int:
    args = context.args
    consoles = context.consoles
    destination: Path = args.output if args.output is not None else Path(f"{args.id}.wav")
    with context.client() as gladia:
        chunks = gladia.iter_audio(args.id)  # checks the id before the destination is touched
        sink = open_sink(destination)
        try:
            with contextlib.closing(chunks), _download_progress(consoles.interactive, consoles.out) as advance:
                for chunk in chunks:
                    sink.write(chunk)
                    advance(len(chunk))
            sink.commit()
        except BaseException:
            sink.abort()
            raise
    consoles.out.print(f"Saved {sink.written:,} bytes{_wav_summary(destination)} to {destination}", markup=False)
    return 0


@contextlib.contextmanager
def _download_progress(interactive: bool, console: Console) -> Iterator[Callable[[int], None]]:
    """A progress bar of bytes received (the size is not known in advance), on a terminal only."""
    if not interactive:
        yield lambda size: None
        return
    progress = Progress(
        TextColumn("downloading"),
        BarColumn(bar_width=None),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task("download", total=None)
    with progress:
        yield lambda size: progress.advance(task, size)


def _wav_summary(path: Path) -> str:
    try:
        with path.open("rb") as file:
            info = read_wav_header(file)
    except (OSError, AudioFormatError):
        return ""
    if info.format is None or info.data_size is None:
        return ""
    seconds = info.data_size / info.format.bytes_per_second
    return f" ({format_duration(seconds)} of {info.format.describe()})"


# -- shared --------------------------------------------------------------------------------------------------


def _status(job: StreamingResponse) -> Text:
    status = str(job.status)
    return Text(status, style=_STATUS_STYLES.get(status, ""))


def _audio_duration(job: StreamingResponse) -> float | None:
    file = job.file
    if file is None or isinstance(file, Unset):
        return None
    return file.audio_duration


def _custom_metadata(job: StreamingResponse) -> str | None:
    metadata = job.custom_metadata
    if metadata is None or isinstance(metadata, Unset):
        return None
    return format_json(metadata.to_dict())
