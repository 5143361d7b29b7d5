"""`make scaled` for real: nginx (Debian) in front of two daphne processes and a qcluster, on
PostgreSQL and Redis, started by scripts/scaled.py exactly as `make scaled` does.

Needs DATABASE_URL, REDIS_URL and nginx (`.ci/run` provides all three); skipped otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from clips.models import Clip
from jobs.models import Job
from tests.media import comments_jsonl, make_video

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from scaled import find_nginx  # noqa: E402

pytestmark = [
    pytest.mark.scaled,
    pytest.mark.skipif(not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
                       reason="DATABASE_URL and REDIS_URL are not set"),
    pytest.mark.skipif(find_nginx() is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.django_db(transaction=True),
]
BODY = bytes(range(256)) * 64  # 16 KiB, every offset distinguishable
MAX_UPLOAD = 96 * 1024 * 1024


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free ports, below Linux's ephemeral range (32768+),
    where the outgoing connections of everything else on the machine take theirs: the
    deployment's daphne processes listen on ``first, first + 1, ...``."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, 32000 - count)
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", first + offset))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return first
    raise RuntimeError(f"no {count} consecutive free ports found")


@dataclass
class Deployment:
    url: str
    port: int
    process: subprocess.Popen
    media_root: Path
    static_root: Path
    run_dir: Path
    max_body: int

    def get(self, path: str, token: str | None = None, **headers: str):
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def qcluster_pids(self) -> list[int]:
        """Main worker processes (`manage.py worker`: a qcluster and the sweeper) started
        under this deployment (not their children)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                parent_cmd = Path(f"/proc/{parent}/cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if b"worker" in cmdline and b"respawn.py" in parent_cmd and \
                    str(self.run_dir).encode() not in cmdline:
                env = (entry / "environ").read_bytes()
                if f"SHORTORY_SCALED_RUN={self.run_dir}".encode() in env:
                    found.append(int(entry.name))
        return found


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, django_db_setup):
    tmp = tmp_path_factory.mktemp("scaled")
    db = settings.DATABASES["default"]
    (port,) = _free_ports(1)
    backend = _free_port_block(2)  # the two daphne processes: backend, backend + 1
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortory.settings",
        "SHORTORY_ENV_FILE": os.devnull,
        "DEBUG": "0",
        "SECRET_KEY": "scaled-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The servers must see the rows these tests write: the test database.
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "SHORTORY_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
        "Q_WORKERS": "1",
        "SHORTORY_SCALED_RUN": str(tmp / "run"),
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=300)
    process = subprocess.Popen(
        [sys.executable, "scripts/scaled.py", "--port", str(port), "--backend-port", str(backend),
         "--web", "2", "--workers", "1", "--run-dir", str(tmp / "run")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    deployment = Deployment(url=f"http://127.0.0.1:{port}", port=port, process=process,
                            media_root=tmp / "media", static_root=tmp / "static",
                            run_dir=tmp / "run", max_body=MAX_UPLOAD + 16 * 1024 * 1024)
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode())
            try:
                status, _, body = deployment.get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the deployment never became healthy: {body!r}")
            time.sleep(0.5)
        yield deployment
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have stopped on its own
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def token(alice):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=alice).key


def test_healthz_through_nginx_checks_every_dependency(deployment):
    status, headers, body = deployment.get("/healthz")
    assert status == 200
    assert headers["Server"] == "nginx"
    checks = json.loads(body)["checks"]
    assert {name: check["ok"] for name, check in checks.items()} == {
        "database": True, "redis": True, "storage": True, "workers": True}
    assert checks["database"]["detail"] == "postgresql"
    assert checks["workers"]["detail"] == "1 cluster(s)"


def test_static_files_come_from_nginx_not_python(deployment):
    css = next((deployment.static_root / "css").glob("*.css"))
    status, headers, body = deployment.get(f"/static/css/{css.name}")
    assert status == 200
    assert body == css.read_bytes()
    assert headers["Content-Type"] == "text/css"
    assert "Referrer-Policy" not in headers  # Django's middleware never saw it


def test_request_bodies_are_capped_by_nginx(deployment, token):
    connection = http.client.HTTPConnection("127.0.0.1", deployment.port, timeout=30)
    connection.putrequest("POST", "/api/v1/videos/")
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(deployment.max_body + 1))
    connection.endheaders()
    response = connection.getresponse()  # refused on the header, before any body is read
    assert response.status == 413
    assert response.getheader("Server") == "nginx"
    connection.close()


def test_media_are_handed_to_nginx_after_the_ownership_check(deployment, alice, bob, token,
                                                             settings):
    from rest_framework.authtoken.models import Token

    from videos.models import SourceVideo

    settings.MEDIA_ROOT = deployment.media_root
    source = SourceVideo.objects.create(kind=SourceVideo.Kind.UPLOAD, uploaded_by=alice,
                                        file_status=SourceVideo.FileStatus.READY)
    clip = Clip(user=alice, source=source, kind="comments", start=1, end=5,
                status=Clip.Status.READY)
    clip.file.save("clip.mp4", ContentFile(BODY), save=False)
    clip.save()
    path = f"/api/v1/clips/{clip.pk}/download/"

    status, headers, body = deployment.get(path, token)
    assert status == 200, body
    assert body == BODY
    assert headers["Content-Type"] == "video/mp4"
    assert headers["Content-Disposition"].startswith('attachment; filename="shortory-')
    assert "X-Accel-Redirect" not in headers  # nginx consumed it
    status, headers, body = deployment.get(path, token, Range="bytes=1000-1099")
    assert status == 206 and body == BODY[1000:1100]
    assert headers["Content-Range"] == f"bytes 1000-1099/{len(BODY)}"

    bob_token = Token.objects.create(user=bob).key
    assert deployment.get(path, bob_token)[0] == 404
    assert deployment.get(f"/_protected_media/{clip.file.name}")[0] == 404
    assert deployment.get(f"/media/{clip.file.name}")[0] == 404


def test_websockets_through_nginx_reach_both_daphne_processes(deployment, alice, token):
    import websockets

    from jobs import services

    job = services.job_create(user=alice, kind=Job.Kind.DEMO)

    async def scenario() -> list[dict]:
        sockets = [await websockets.connect(
            f"ws://127.0.0.1:{deployment.port}/ws/jobs/",
            additional_headers={"Authorization": f"Token {token}"}) for _ in range(2)]
        for ws in sockets:
            assert json.loads(await asyncio.wait_for(ws.recv(), 15))["type"] == "snapshot"

        def report():
            from django.db import connections

            try:
                services.ProgressReporter(Job.objects.get(pk=job.pk), min_interval=0)(
                    55, "Through nginx")
            finally:
                connections.close_all()

        await asyncio.to_thread(report)
        events = [json.loads(await asyncio.wait_for(ws.recv(), 15)) for ws in sockets]
        for ws in sockets:
            await ws.close()
        return events

    events = asyncio.run(scenario())
    assert [(e["type"], e["job"]["id"], e["job"]["progress"]) for e in events] == [
        ("job", job.pk, 55), ("job", job.pk, 55)]


def _upload(deployment, token, video: Path) -> dict:
    """multipart POST /api/v1/videos/ through nginx."""
    boundary = "shortory-test-boundary"
    parts = []
    for name, filename, data, kind in (
        ("file", "long.mp4", video.read_bytes(), "video/mp4"),
        ("comments_file", "c.jsonl", comments_jsonl({6: 4, 18: 3, 30: 2}), "application/json"),
    ):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode() + data)
    for name, value in (("top_k", "3"), ("clip_before", "5"), ("clip_after", "5"),
                        ("aspect", "9:16")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}".encode())
    body = b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        deployment.url + "/api/v1/videos/", data=body, method="POST",
        headers={"Authorization": f"Token {token}",
                 "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 202
        return json.loads(response.read())


@pytest.mark.slow
def test_a_render_in_flight_when_its_qcluster_dies_is_redone_within_a_minute(
        deployment, alice, token, tmp_path, settings):
    settings.MEDIA_ROOT = deployment.media_root
    video = make_video(tmp_path / "long.mp4", seconds=40, size="1280x720")
    created = _upload(deployment, token, video)
    job_id = created["job"]["id"]
    deadline = time.monotonic() + 120
    while not Clip.objects.filter(user=alice, status=Clip.Status.RENDERING).exists():
        assert time.monotonic() < deadline, "no clip ever started rendering"
        assert Job.objects.get(pk=job_id).status != Job.Status.DONE, "finished before the kill"
        time.sleep(0.1)
    # The machine running the worker dies: the cluster and its worker processes, at once.
    pids = deployment.qcluster_pids()
    assert pids, "no qcluster found"
    for pid in pids:
        os.killpg(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    requeued_after = None
    while time.monotonic() - killed_at < 75:
        job = Job.objects.get(pk=job_id)
        if requeued_after is None and (job.status == Job.Status.PENDING or job.attempts > 1):
            requeued_after = time.monotonic() - killed_at
        for clip in Clip.objects.filter(user=alice, status=Clip.Status.READY):
            assert clip.file and Path(clip.file.path).stat().st_size > 1000  # never a half file
        if job.status == Job.Status.DONE:
            break
        time.sleep(1)
    done_after = time.monotonic() - killed_at
    job = Job.objects.get(pk=job_id)
    print(f"dead worker's job queued again after {requeued_after} s, done after {done_after:.0f} s")
    assert job.status == Job.Status.DONE, (job.status, job.message)
    assert done_after < 75
    # The sweep of the restarted worker noticed the dead one and queued the job again: its
    # second attempt did the work (nothing else redelivers a task on the Redis broker).
    assert job.attempts == 2
    assert requeued_after is not None and requeued_after < 1 + (
        settings.JOB_STALE_AFTER + settings.JOB_SWEEP_SECONDS + 5)
    clips = Clip.objects.filter(user=alice)
    assert clips.count() == 3 and all(c.status == Clip.Status.READY for c in clips)
