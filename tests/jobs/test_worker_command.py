"""`manage.py worker` for real, on the embedded default (SQLite, ORM broker): a worker killed
mid-job (SIGKILL to its whole process group) leaves the job running with a stopped heartbeat;
the next worker's sweep queues it again at once (its start sweep), and it is done by that
worker on its second attempt; SIGTERM then stops the worker and its sweeper.

The heartbeat is aged by writing it (no waiting for JOB_STALE_AFTER)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from accounts.models import User
from jobs.services import job_create, job_enqueue
from jobs.models import Job
user = User.objects.create_user('w', 'w@example.com', 'correct-horse-battery')
job = job_create(user=user, kind=Job.Kind.DEMO)
job_enqueue(job=job, func='jobs.tasks.demo_count', steps=%d, delay=0.5)
print('JOB=%%d' %% job.pk)
"""


def _row(db: Path, job_id: int) -> dict:
    with sqlite3.connect(db, timeout=20) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT status, attempts, progress, message FROM jobs_job "
                                 "WHERE id = ?", (job_id,)).fetchone())


def _wait(db: Path, job_id: int, seconds: float, done) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        row = _row(db, job_id)
        if done(row) or time.monotonic() > deadline:
            return row
        time.sleep(0.2)


def _start(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(worker: subprocess.Popen) -> int | None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # the main process only, as systemd and respawn.py do
        try:
            return worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            return None
    return worker.returncode


def test_a_killed_workers_job_is_redone_by_the_next_worker(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "Q_SYNC")},
        "DJANGO_SETTINGS_MODULE": "shortory.settings", "SHORTORY_ENV_FILE": os.devnull,
        "DEBUG": "0", "SECRET_KEY": "worker-tests-secret-key-0123456789abcdefghijklmnopq",
        "ALLOWED_HOSTS": "127.0.0.1", "SQLITE_PATH": str(db),
        "MEDIA_ROOT": str(tmp_path / "media"), "Q_WORKERS": "1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    out = subprocess.run([*manage, "shell", "-c", SETUP % 200], cwd=ROOT, env=env, check=True,
                         timeout=120, capture_output=True, text=True).stdout
    job_id = int(out.split("JOB=")[1].split()[0])
    log = tmp_path / "worker.log"

    first = _start(env, log)
    try:
        row = _wait(db, job_id, 90, lambda r: r["progress"] > 0)
        assert row["status"] == "running" and row["attempts"] == 1, log.read_text()[-3000:]
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the cluster, its worker and its sweeper at once
        first.wait()
    row = _row(db, job_id)
    assert row["status"] == "running"  # nobody knows yet: its heartbeat just stopped
    # Its heartbeat stopped long ago, and the job only has a few steps left to do.
    with sqlite3.connect(db, timeout=20) as conn:
        conn.execute("UPDATE jobs_job SET heartbeat_at = '2000-01-01 00:00:00', "
                     "task_kwargs = '{\"steps\": 2, \"delay\": 0}' WHERE id = ?", (job_id,))

    second = _start(env, log)
    try:
        row = _wait(db, job_id, 120, lambda r: r["status"] in ("done", "failed"))
        assert (row["status"], row["attempts"]) == ("done", 2), log.read_text()[-3000:]
        assert row["message"] == "Counted to 2"
        assert "queueing it again" in log.read_text()
    finally:
        code = _stop(second)
    assert code == 0, log.read_text()[-3000:]
