"""Run many live sessions at once with asyncio, and check each one's result.

Run it (from the repository root):

    GLADIA_API_KEY=... python examples/concurrent_sessions.py demo/speech.wav --sessions 20

Every session streams the same WAV file, unpaced (as fast as the server acknowledges it; ``--realtime`` paces
each at the audio's own rate), through one `AsyncGladiaLive` client whose connection pool they share. Each
result is checked: every byte acknowledged, at least one final transcript, and the job ``done`` over REST.
The exit status is 1 when any session failed. Against the real service, mind your account's limit on
concurrent sessions; ``GLADIA_API_URL`` points it at a local server instead.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gladia_live_client import AsyncGladiaLive, GladiaError, read_wav_header
from gladia_live_client.models import StreamingRequest


@dataclass
class Outcome:
    session_id: str
    transcript: str
    problems: list[str]


async def transcribe(gladia: AsyncGladiaLive, path: Path, request: StreamingRequest, realtime: bool) -> Outcome:
    """One live session on `path`, its final transcripts joined, and what is wrong with its result."""
    async with await gladia.live(request) as session:
        sent = await session.send_file(path, realtime=realtime)
        await session.stop_recording()
        texts = [message.data.utterance.text async for message in session.final_transcripts()]
    session_id = session.session_id or "?"
    problems = []
    if session.bytes_acknowledged != sent:
        problems.append(f"{session.bytes_acknowledged} of {sent} bytes acknowledged")
    if not texts:
        problems.append("no final transcript")
    job = await gladia.get_job(session_id)
    if job.status != "done":
        problems.append(f"job {job.status}, not done")
    return Outcome(session_id, " ".join(texts), problems)


async def run(path: Path, sessions: int, realtime: bool) -> int:
    with path.open("rb") as audio:
        fmt = read_wav_header(audio).format
    if fmt is None:
        print(f"error: {path} holds audio in an encoding Gladia does not take", file=sys.stderr)
        return 1
    request = StreamingRequest.from_dict(
        {
            "encoding": fmt.encoding,
            "bit_depth": fmt.bit_depth,
            "sample_rate": fmt.sample_rate,
            "channels": fmt.channels,
        }
    )
    started = time.monotonic()
    async with AsyncGladiaLive() as gladia:
        results = await asyncio.gather(
            *(transcribe(gladia, path, request, realtime) for _ in range(sessions)), return_exceptions=True
        )
    failed = 0
    for number, result in enumerate(results, 1):
        if isinstance(result, BaseException):
            failed += 1
            print(f"session {number}: error: {type(result).__name__}: {result}")
        elif result.problems:
            failed += 1
            print(f"session {number} ({result.session_id}): " + "; ".join(result.problems))
        else:
            print(f"session {number} ({result.session_id}): {result.transcript}")
    elapsed = time.monotonic() - started
    print(f"{sessions - failed} of {sessions} sessions complete in {elapsed:.1f} s")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Many concurrent live sessions on one file.")
    parser.add_argument("file", type=Path, help="a WAV file")
    parser.add_argument("--sessions", type=int, default=20, help="how many at once (default 20)")
    parser.add_argument("--realtime", action="store_true", help="send at the audio's own pace")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args.file, args.sessions, args.realtime))
    except (GladiaError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
