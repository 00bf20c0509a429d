"""Stream a WAV file to a Gladia live session and print its final transcripts.

Run it (from the repository root):

    GLADIA_API_KEY=... python examples/stream_file.py demo/speech.wav --realtime

``--realtime`` paces the audio at its own rate, as a microphone would deliver it; without it the file goes as
fast as the server acknowledges it. The session is created in the file's own format (read from its WAV
header), so any WAV file Gladia accepts works. ``GLADIA_API_URL`` points it at another server, such as the
local one: ``python -m gladia_live_client.testing --port 8080`` then ``GLADIA_API_URL=http://127.0.0.1:8080``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gladia_live_client import AudioFormatError, GladiaError, GladiaLive, read_wav_header
from gladia_live_client.models import StreamingRequest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", type=Path, help="a WAV file")
    parser.add_argument("--realtime", action="store_true", help="send at the audio's own pace")
    args = parser.parse_args(argv)

    try:
        with args.file.open("rb") as audio:
            fmt = read_wav_header(audio).format  # the file's encoding, bit depth, sample rate and channels
        if fmt is None:
            raise AudioFormatError(f"{args.file} holds audio in an encoding Gladia does not take")
        request = StreamingRequest.from_dict(
            {
                "encoding": fmt.encoding,
                "bit_depth": fmt.bit_depth,
                "sample_rate": fmt.sample_rate,
                "channels": fmt.channels,
            }
        )
        with GladiaLive() as gladia:
            with gladia.live(request) as session:
                session.send_file(args.file, realtime=args.realtime)
                session.stop_recording()
                for message in session.final_transcripts():
                    utterance = message.data.utterance
                    print(f"[{utterance.start:6.2f}s] {utterance.text}")
            stats = session.stats
            print(
                f"session {session.session_id}: {stats.bytes_acknowledged} bytes acknowledged, "
                f"{stats.reconnections} reconnections",
            )
    except (GladiaError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
