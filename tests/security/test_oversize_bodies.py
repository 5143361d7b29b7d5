"""Oversize request bodies are refused before they are read, and no body is held in memory
whole (issue 13, item 1). Against the real server process `make run` starts."""

from __future__ import annotations

import json

import pytest
from asgiref.testing import ApplicationCommunicator

from shortory.body_limits import BodyLimitMiddleware, body_limit

from .server import RunningServer, raw_request

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningServer(tmp_path_factory.mktemp("bodies"))
    yield running
    running.stop()


def test_declared_oversize_body_is_refused_from_the_headers_alone(server):
    # Nothing of the 100 MiB is sent: the answer must come from the headers.
    answer = raw_request(server.port, b"POST /nowhere/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Length: %d\r\n\r\n" % (100 * MiB), timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"larger than the 11.0\xc2\xa0MB limit" in answer


def test_api_upload_over_the_product_limit_is_refused_in_the_api_shape(server):
    answer = raw_request(server.port, b"POST /api/v1/videos/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: multipart/form-data; boundary=x\r\n"
                         b"Content-Length: %d\r\n\r\n" % (3 * 1024 * MiB), timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    error = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert error["extra"]["limit_bytes"] == body_limit("/api/v1/videos/")
    assert "larger than" in error["message"]


def test_chunked_body_streaming_past_the_cap_is_cut_off(server):
    chunk = b"x" * MiB
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    answer = raw_request(server.port, b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n", [framed] * 40, timeout=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_large_body_within_its_cap_costs_little_memory(server):
    """80 MiB to the upload URL (anonymous, so refused by CSRF afterwards): the server reads
    it all, yet grows by far less than the body (stock daphne: +the whole body)."""
    size = 80 * MiB
    chunk = b"y" * MiB
    with server.peak_rss() as peak:
        answer = raw_request(server.port, b"POST /videos/add/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Content-Type: application/octet-stream\r\n"
                             b"Content-Length: %d\r\n\r\n" % size, [chunk] * 80, timeout=60)
    grown = peak.grown
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]  # CSRF: the body did arrive
    assert grown < 30 * MiB, f"grew by {grown / MiB:.0f} MiB"


def test_a_multipart_upload_streams_with_bounded_memory(server):
    """An authenticated 100 MiB multipart upload (not a video, so refused after it arrived):
    stock daphne and Twisted held it whole, several times over (300 MiB cost 3.9 GB)."""
    token = server.token_for("uploader")
    size = 100 * MiB
    prefix = (b'--bb\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
              b"Content-Type: video/mp4\r\n\r\n")
    suffix = b"\r\n--bb--\r\n"
    head = (b"POST /api/v1/videos/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token "
            + token.encode() + b"\r\nContent-Type: multipart/form-data; boundary=bb\r\n"
            b"Content-Length: %d\r\n\r\n" % (len(prefix) + size + len(suffix)))
    with server.peak_rss() as peak:
        answer = raw_request(server.port, head, [prefix, *[bytes(MiB)] * 100, suffix],
                             timeout=120)
    grown = peak.grown
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"not a video" in answer  # Django parsed it: the file reached the probe
    assert grown < 50 * MiB, f"grew by {grown / MiB:.0f} MiB"


async def _call(app, path: str, headers, chunks):
    communicator = ApplicationCommunicator(app, {
        "type": "http", "method": "POST", "path": path, "headers": headers,
        "query_string": b""})
    for i, chunk in enumerate(chunks):
        await communicator.send_input({"type": "http.request", "body": chunk,
                                       "more_body": i < len(chunks) - 1})
    start = await communicator.receive_output(2)
    body = await communicator.receive_output(2)
    return start, body


async def test_the_asgi_middleware_holds_the_same_caps_under_any_server():
    reached = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            reached.append(len(message["body"]))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = BodyLimitMiddleware(app)
    start, _ = await _call(limited, "/x/", [(b"content-length", b"%d" % (100 * MiB))], [b""])
    assert start["status"] == 413 and reached == []
    start, body = await _call(limited, "/x/", [], [b"z" * MiB] * 13)
    assert start["status"] == 413 and b"larger than" in body["body"]
    start, body = await _call(limited, "/videos/add/", [], [b"z" * MiB] * 13)
    assert start["status"] == 200
