"""A small web service that relays a browser's audio to a Gladia live session and sends transcripts back.

Run it (from the repository root; needs Starlette and uvicorn, which the ``testing`` extra installs):

    GLADIA_API_KEY=... python examples/web_relay.py --port 8000

then open http://127.0.0.1:8000 and press "Start": the page captures the microphone, converts it to 16 kHz
16-bit mono PCM and sends it over the service's own WebSocket (``/listen``); the service streams it to
Gladia and sends back each transcript as JSON. Your API key stays on the server: the browser never sees it,
nor the session's WebSocket URL.

The protocol of ``/listen``, for any client (the test of this example plays the browser with `websockets`):

- client to service: binary frames of 16 kHz 16-bit mono PCM, then the text frame ``stop``;
- service to client: ``{"type": "transcript", "final": bool, "text": str}`` for each transcript, then
  ``{"type": "done", "session_id": str}`` once the session is over, or ``{"type": "error", "message": str}``.

A browser that leaves in the middle ends its Gladia session cleanly: the recording is stopped and the job
finishes with the audio received so far.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gladia_live_client import AsyncGladiaLive, AsyncLiveSession, GladiaError
from gladia_live_client.types import StreamingRequestDict

# The format the page converts the microphone to, and partial transcripts (off by default) for the page to
# show the words as they come.
REQUEST: StreamingRequestDict = {
    "encoding": "wav/pcm",
    "bit_depth": 16,
    "sample_rate": 16000,
    "channels": 1,
    "messages_config": {"receive_partial_transcripts": True},
}


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # One client for the whole service: its connection pool is shared by every browser's session.
    async with AsyncGladiaLive() as gladia:
        app.state.gladia = gladia
        yield


async def relay_transcripts(session: AsyncLiveSession, websocket: WebSocket) -> None:
    """Send each transcript of the session to the browser, until the session ends or the browser leaves."""
    try:
        async for message in session.transcripts():
            data = message.data
            await websocket.send_json({"type": "transcript", "final": data.is_final, "text": data.utterance.text})
    except (WebSocketDisconnect, RuntimeError):
        pass  # the browser left (Starlette raises RuntimeError when sending on a closed socket)


async def relay_audio(websocket: WebSocket, session: AsyncLiveSession) -> bool:
    """Send the browser's audio to the session until it says ``stop`` (True) or leaves (False)."""
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            return False
        if frame.get("bytes"):
            await session.send_audio(frame["bytes"])
        elif frame.get("text") == "stop":
            return True


async def listen(websocket: WebSocket) -> None:
    await websocket.accept()
    gladia: AsyncGladiaLive = websocket.app.state.gladia
    try:
        async with await gladia.live(REQUEST) as session:
            # Transcripts go back while audio comes in: one task each way.
            transcripts = asyncio.create_task(relay_transcripts(session, websocket))
            try:
                stopped = await relay_audio(websocket, session)
                # Either way the recording stops here, so the job finishes with the audio received (a browser
                # that left without a word does not leave the session open until Gladia's idle timeout).
                await session.stop_recording()
                if stopped:
                    await transcripts  # ends with the session, after its last final transcript
            finally:
                transcripts.cancel()
        # Leaving the block waited for the end of the session: the job is done.
        if stopped:
            await websocket.send_json({"type": "done", "session_id": session.session_id})
            await websocket.close()
    except GladiaError as exc:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.send_json({"type": "error", "message": str(exc)})
            await websocket.close(code=1011)


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/", page), WebSocketRoute("/listen", listen)], lifespan=lifespan)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Relay a browser's audio to Gladia live sessions.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port (the first line printed says)")
    args = parser.parse_args(argv)
    # Bind first, so the URL printed is the one listening, even with --port 0.
    listener = socket.create_server((args.host, args.port))
    host, port = listener.getsockname()[:2]
    print(f"serving on http://{host}:{port}", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", ws="websockets-sansio", timeout_graceful_shutdown=3)
    )
    server.run(sockets=[listener])
    return 0


PAGE = """<!doctype html>
<meta charset="utf-8">
<title>Live transcription</title>
<button id="start">Start</button> <button id="stop" disabled>Stop</button>
<p id="final"></p><p id="partial" style="color: grey"></p>
<script>
const start = document.getElementById("start"), stop = document.getElementById("stop");
let socket, context, stream;
start.onclick = async () => {
  stream = await navigator.mediaDevices.getUserMedia({audio: true});
  context = new AudioContext({sampleRate: 16000});  // the browser resamples the microphone to 16 kHz
  socket = new WebSocket(`ws://${location.host}/listen`);
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "transcript" && message.final) {
      document.getElementById("final").textContent += message.text + " ";
      document.getElementById("partial").textContent = "";
    } else if (message.type === "transcript") {
      document.getElementById("partial").textContent = message.text;
    }
  };
  await new Promise((resolve) => (socket.onopen = resolve));
  const source = context.createMediaStreamSource(stream);
  const processor = context.createScriptProcessor(2048, 1, 1);
  processor.onaudioprocess = (event) => {
    const samples = event.inputBuffer.getChannelData(0), pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-1, Math.min(1, samples[i])) * 0x7fff;
    if (socket.readyState === WebSocket.OPEN) socket.send(pcm.buffer);
  };
  source.connect(processor);
  processor.connect(context.destination);
  start.disabled = true; stop.disabled = false;
};
stop.onclick = () => {
  stream.getTracks().forEach((track) => track.stop());
  context.close();
  socket.send("stop");
  start.disabled = false; stop.disabled = true;
};
</script>
"""

if __name__ == "__main__":
    sys.exit(main())
