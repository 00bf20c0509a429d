"""Record from a microphone into a Gladia live session for a few seconds and print the final transcripts.

Run it (from the repository root; needs the ``mic`` extra: ``pip install "gladia-live-client[mic]"``):

    GLADIA_API_KEY=... python examples/microphone.py --seconds 10
    python examples/microphone.py --list-devices           # the capture devices, with their index

``--device`` picks a capture device by index or by part of its name (default: the system's default one),
``--backend`` an audio system (``alsa``, ``pulseaudio``, ``coreaudio``, ``wasapi``, ...; ``null`` records silence
in real time, which any machine can do). The session is created as 16-bit PCM, 16 kHz, mono, the format the
microphone is recorded in. The final transcripts are printed once the recording has stopped and the server
has finished them. ``GLADIA_API_URL`` points it at another server, such as the local one:
``python -m gladia_live_client.testing --port 8080`` then ``GLADIA_API_URL=http://127.0.0.1:8080``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from gladia_live_client import GladiaError, GladiaLive, list_microphones, microphone
from gladia_live_client.types import StreamingRequestDict

SAMPLE_RATE: Final = 16000


def device(text: str) -> int | str:
    """A device index (as --list-devices prints it) or part of a device's name."""
    return int(text) if text.isdigit() else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--list-devices", action="store_true", help="list the capture devices and exit")
    parser.add_argument("--device", type=device, help="a device index or part of its name (default: the default)")
    parser.add_argument("--backend", help="the audio system, e.g. alsa, pulseaudio, coreaudio, wasapi or null")
    parser.add_argument("--seconds", type=float, default=5.0, help="how much audio to record (default: 5)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")

    try:
        if args.list_devices:
            for mic in list_microphones(backend=args.backend):
                print(f"{mic.index}  {mic.name}  ({mic.backend})")
            return 0
        # Opened before the session is created: a missing extra or a device that cannot be opened fails first.
        chunks = microphone(
            sample_rate=SAMPLE_RATE, channels=1, device=args.device, seconds=args.seconds, backend=args.backend
        )
        request: StreamingRequestDict = {
            "encoding": "wav/pcm",
            "bit_depth": 16,
            "sample_rate": SAMPLE_RATE,
            "channels": 1,
        }
        with GladiaLive() as gladia:
            with gladia.live(request) as session:
                print(f"recording {args.seconds:g} s into session {session.session_id}", file=sys.stderr)
                session.send_stream(chunks)  # about 100 ms chunks, as the device delivers them
                session.stop_recording()
                for message in session.final_transcripts():
                    utterance = message.data.utterance
                    print(f"[{utterance.start:6.2f}s] {utterance.text}")
            stats = session.stats
            print(
                f"session {session.session_id}: {stats.bytes_acknowledged} bytes acknowledged, "
                f"{stats.reconnections} reconnections",
            )
    except GladiaError as exc:  # MicrophoneNotInstalledError and MicrophoneError are GladiaErrors
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
