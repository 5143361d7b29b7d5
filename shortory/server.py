"""The daphne we serve with: request bodies bounded in size and never held in memory whole.

Stock daphne waits for the whole body (Twisted spools it to a temp file) and then copies all
of it into the application's queue at once, so a 100 MiB POST to any URL cost 100 MiB of RAM
and a 2 GiB upload 2 GiB or more. Here:

- an oversize ``Content-Length`` is answered 413 as soon as the headers arrive, and a body
  that streams past its cap (chunked, or lying about its length) is cut off there;
- the spooled body is handed to the app one chunk per ``receive()``, read from disk only when
  the app asks, so memory stays flat whatever the size;
- Twisted's own parsing of multipart bodies (the whole body in memory, several times over)
  is off: Django parses uploads, streaming them to disk;
- a WebSocket message over daphne's limit is answered with a close frame (1009), not a reset.

The caps are ``shortory.body_limits.body_limit``. Run it like daphne:
``python -m shortory.server -b 127.0.0.1 -p 8000 shortory.asgi:application``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from functools import partial
from typing import IO, Any

from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from daphne.server import Server

logger = logging.getLogger(__name__)

# How long open sockets get to store their samples and close when the server stops.
SHUTDOWN_GRACE = 5.0
# What one receive() hands the app (Django spools it to disk past FILE_UPLOAD_MAX_MEMORY_SIZE).
BODY_CHUNK = 1024 * 1024


class _NoBody:
    """Stands in for the spooled body while stock daphne builds the application, so that it
    queues nothing but an empty final message (``BodyStreamQueue`` serves the real body)."""

    def __init__(self, real: IO[bytes]):
        self._real = real

    def read(self, size: int = -1) -> bytes:
        return b""

    def seek(self, *args: Any) -> int:
        return self._real.seek(*args)

    @property
    def closed(self) -> bool:
        return self._real.closed

    def close(self) -> None:
        self._real.close()


class BodyStreamQueue(asyncio.Queue):
    """The application's input queue, serving the request body lazily from its spool file."""

    def __init__(self, body: IO[bytes]):
        super().__init__()
        self._body: IO[bytes] | None = body
        body.seek(0, os.SEEK_END)
        self._left = body.tell()
        body.seek(0)
        self._skip_request = True

    async def get(self) -> Any:
        if self._body is not None:
            chunk = self._body.read(min(BODY_CHUNK, self._left)) if self._left > 0 else b""
            self._left -= len(chunk)
            more = bool(chunk) and self._left > 0
            if not more:
                self._body = None
            return {"type": "http.request", "body": chunk, "more_body": more}
        while True:
            message = await super().get()
            if self._skip_request and message.get("type") == "http.request":
                self._skip_request = False  # daphne's own empty copy of the body
                continue
            return message


class BoundedRequest(WebRequest):
    """daphne's request, with the body cap and the lazy hand-over."""

    _refused = False
    streamed_body: IO[bytes] | None = None
    content: Any  # Twisted's spool (BytesIO or a temp file), then our _NoBody
    # Twisted would otherwise parse a multipart body itself (into request.args, which daphne
    # never uses) by reading it whole into memory and through the e-mail parser: a 300 MiB
    # upload cost 3.9 GB. Django parses it, streaming.
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._parsePOSTFormSubmission = False

    def gotLength(self, length: int | None) -> None:
        from shortory.body_limits import body_limit

        super().gotLength(length)
        raw_path = getattr(self.channel, "_path", b"/") or b"/"
        self._path_for_limit = raw_path.split(b"?", 1)[0].decode("latin1")
        self._limit = body_limit(self._path_for_limit)
        self._received = 0
        if length is not None and length > self._limit:
            self._refuse()

    def handleContentChunk(self, data: bytes) -> None:
        if self._refused:
            return
        self._received += len(data)
        if self._received > self._limit:
            self._refuse()
            return
        super().handleContentChunk(data)

    def _refuse(self) -> None:
        from shortory.body_limits import too_large_response

        self._refused = True
        content_type, body = too_large_response(self._path_for_limit, self._limit)
        logger.info("refused a body over %d bytes for %s", self._limit, self._path_for_limit)
        head = (f"HTTP/1.1 413 Content Too Large\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        self.channel.transport.write(head + body)
        self.channel.loseConnection()
        self.content.close()

    def process(self) -> Any:
        if self._refused:
            return None
        if not (self.requestHeaders.hasHeader(b"Upgrade")):
            self.streamed_body = self.content
            self.content = _NoBody(self.content)
        return super().process()


class BoundedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr: Any) -> Any:
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BoundedRequest
        return protocol


class BoundedServer(Server):
    """daphne's Server with ``BoundedHTTPFactory`` and ``BodyStreamQueue``."""

    @property
    def http_factory(self) -> HTTPFactory:
        return self._http_factory

    @http_factory.setter
    def http_factory(self, factory: HTTPFactory) -> None:
        # Server.run() builds a stock HTTPFactory; ours replaces it.
        self._http_factory = (factory if isinstance(factory, BoundedHTTPFactory)
                              else BoundedHTTPFactory(self))

    @property
    def ws_factory(self) -> Any:
        return self._ws_factory

    @ws_factory.setter
    def ws_factory(self, factory: Any) -> None:
        # autobahn fails a connection by dropping TCP (failByDrop), so a message over
        # daphne's size limit reached the client as a reset, not as the close frame (1009)
        # the protocol asks for. Failing with a close handshake: the rest of the oversize
        # message is read and thrown away (never held), then the client gets 1009.
        # (Server.run() sets its other options after this, each only if given.)
        factory.setProtocolOptions(failByDrop=False)
        self._ws_factory = factory

    def create_application(self, protocol: Any, scope: dict) -> Any:
        body = getattr(protocol, "streamed_body", None)
        if body is None or scope.get("type") != "http":
            return super().create_application(protocol, scope)
        queue = BodyStreamQueue(body)
        scope.setdefault("asgi", {"version": "3.0"})
        instance = self.application(scope=scope, receive=queue.get,
                                    send=partial(self.handle_reply, protocol))
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(instance)
        return queue


    def kill_all_applications(self) -> Any:
        """On shutdown (SIGTERM, Ctrl-C): stop accepting, tell every open socket's consumer it
        is disconnecting (it stores what it already answered) and send the client a close
        frame (1001, going away), wait up to SHUTDOWN_GRACE for them, then cancel the rest as
        stock daphne does. Stock daphne cancelled them at once: answered samples were lost."""
        from autobahn.twisted.websocket import WebSocketServerProtocol
        from twisted.internet import defer

        for listening in self.listeners:
            listening.addCallback(lambda port: port.stopListening())
        graceful = []
        closing = []
        for protocol, details in list(self.connections.items()):
            instance = details.get("application_instance")
            queue = getattr(protocol, "application_queue", None)
            if instance is None or instance.done() or queue is None:
                continue
            if isinstance(protocol, WebSocketServerProtocol):
                try:  # sendClose() refuses 1001 ("going away"), the code for this
                    protocol.sendCloseFrame(code=1001, isReply=False)
                except Exception:  # already closing
                    logger.debug("socket already closing", exc_info=True)
                queue.put_nowait({"type": "websocket.disconnect", "code": 1001})
                closing.append(protocol)
            graceful.append(instance)

        async def drain() -> None:
            deadline = time.monotonic() + SHUTDOWN_GRACE
            if graceful:
                await asyncio.wait(graceful, timeout=SHUTDOWN_GRACE)
            # The close handshake: the client answers our close frame, then the connection
            # goes (a reactor stopping first would cut it: the client sees 1006).
            while time.monotonic() < deadline and any(
                    p.state != p.STATE_CLOSED for p in closing):
                await asyncio.sleep(0.05)

        waited = defer.Deferred.fromFuture(asyncio.ensure_future(drain()))
        waited.addBoth(lambda _: super(BoundedServer, self).kill_all_applications())
        return waited


class BoundedCommandLineInterface(CommandLineInterface):
    server_class = BoundedServer


if __name__ == "__main__":
    BoundedCommandLineInterface.entrypoint()
