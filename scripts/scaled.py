#!/usr/bin/env python
"""The scaled-out deployment on one machine: nginx in front of N daphne and M worker
processes (`manage.py worker`: a qcluster and the sweep of dead workers' jobs), on
PostgreSQL and Redis (README "Deploy").

Writes nginx's configuration (from deploy/nginx.conf.template) and a Procfile into a run
folder, then hands the processes to honcho: Ctrl-C stops them all. A worker that dies is
started again after a second by scripts/respawn.py (in production, systemd's Restart=always),
so killing one never stops the product, and the job it was running is started again by the
sweep of a living worker (or of the restarted one); if nginx or a daphne exits, honcho stops
everything.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python scripts/scaled.py --web 2 --workers 2
    python scripts/scaled.py --print-config      # only write the files and show where
"""

from __future__ import annotations

import argparse
import os
import pwd
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
PROTECTED_MEDIA = "/_protected_media/"
FORM_OVERHEAD = 16 * 1024 * 1024  # comments file and fields beside the largest video


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def django_paths() -> dict[str, object]:
    """STATIC_ROOT, MEDIA_ROOT, the upload limit and whether media are local, from settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortory.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    return {
        "static_root": Path(settings.STATIC_ROOT).resolve(),
        "media_root": Path(settings.MEDIA_ROOT).resolve(),
        "max_body": settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD,
        "local_media": not settings.S3_OPTIONS,
    }


def render_nginx_conf(*, run_dir: Path, host: str, port: int, backends: list[int],
                      static_root: Path, media_root: Path, max_body: int,
                      nginx_workers: int = 1, access_log: str = "off") -> str:
    user = ""
    if os.geteuid() == 0:
        # Started as root (a container, CI): the workers read the files as the same user.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};"
    values = {
        "user": user,
        "nginx_workers": str(nginx_workers),
        "run_dir": str(run_dir),
        "mime_types": "/etc/nginx/mime.types",
        "access_log": access_log,
        "upstream_servers": "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in backends),
        "listen": f"{host}:{port}",
        "max_body": str(max_body),
        "static_root": str(static_root),
        "media_root": str(media_root),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise RuntimeError("unfilled placeholder in deploy/nginx.conf.template")
    return text


def procfile(*, python: str, nginx: str, run_dir: Path, backends: list[int],
             workers: int) -> str:
    q = shlex.quote
    lines = [f"nginx: exec {q(nginx)} -p {q(str(run_dir))} -c {q(str(run_dir / 'nginx.conf'))}"
             " -g 'daemon off;'"]
    for index, port in enumerate(backends, start=1):
        lines.append(f"web{index}: exec {q(python)} -m daphne --proxy-headers -b 127.0.0.1 "
                     f"-p {port} shortory.asgi:application")
    for index in range(1, workers + 1):
        lines.append(f"worker{index}: exec {q(python)} {q(str(ROOT / 'scripts' / 'respawn.py'))} "
                     f"{q(python)} manage.py worker")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="nginx listens here")
    parser.add_argument("--web", type=int, default=2, help="daphne processes (one per core)")
    parser.add_argument("--workers", type=int, default=2, help="qcluster processes")
    parser.add_argument("--backend-port", type=int, default=0,
                        help="first daphne port (default: nginx's port + 1)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where the config, Procfile and nginx's temp files go")
    parser.add_argument("--access-log", default="off", help="nginx access_log (off, /dev/stdout)")
    parser.add_argument("--print-config", action="store_true",
                        help="write the files, print the run folder, do not start")
    args = parser.parse_args(argv)
    if args.web < 1 or args.workers < 1:
        parser.error("--web and --workers must be at least 1")
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing and not args.print_config:
        print(f"{' and '.join(missing)} not set: several processes need PostgreSQL and Redis "
              "(see README, Deploy). `make run` is the single-process mode.", file=sys.stderr)
        return 2
    nginx = find_nginx()
    if nginx is None:
        print("nginx not found: apt-get install nginx (make scaled installs it as root)",
              file=sys.stderr)
        return 2

    paths = django_paths()
    run_dir = (args.run_dir or Path(tempfile.mkdtemp(prefix="shortory-scaled-"))).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    first = args.backend_port or args.port + 1
    backends = [first + i for i in range(args.web)]
    (run_dir / "nginx.conf").write_text(render_nginx_conf(
        run_dir=run_dir, host=args.host, port=args.port, backends=backends,
        static_root=paths["static_root"], media_root=paths["media_root"],  # type: ignore[arg-type]
        max_body=paths["max_body"], access_log=args.access_log))  # type: ignore[arg-type]
    (run_dir / "Procfile").write_text(procfile(
        python=sys.executable, nginx=nginx, run_dir=run_dir, backends=backends,
        workers=args.workers))
    if args.print_config:
        print(run_dir)
        return 0

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shortory.settings", "PYTHONUNBUFFERED": "1"}
    if paths["local_media"]:
        env.setdefault("SHORTORY_X_ACCEL_MEDIA", PROTECTED_MEDIA)
    # The cores are shared by the daphne processes: split the inference worker processes (and
    # the threads, should processes be turned off) between them.
    share = str(max(1, (os.cpu_count() or 1) // args.web))
    env.setdefault("SHORTORY_INFERENCE_PROCESSES", share)
    env.setdefault("SHORTORY_INFERENCE_THREADS", share)
    print(f"Shortory (scaled) on http://{args.host}:{args.port}/ : nginx -> {args.web} daphne "
          f"({', '.join(map(str, backends))}), {args.workers} qcluster; config in {run_dir}",
          flush=True)
    honcho = [sys.executable, "-m", "honcho", "--no-colour", "-f", str(run_dir / "Procfile"),
              "-d", str(ROOT), "-e", os.devnull, "start"]
    os.chdir(ROOT)
    os.execve(sys.executable, honcho, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
