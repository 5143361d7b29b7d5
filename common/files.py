"""Generated media names. Nothing in a stored path comes from user input.

Files are removed with their rows by django-cleanup (one mechanism for every FileField: after
the transaction commits, so a failed delete never leaves rows pointing at missing files).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils.deconstruct import deconstructible

logger = logging.getLogger(__name__)


@deconstructible
class RandomName:
    """``upload_to`` that stores every file as ``<folder>/<random hex><suffix>``."""

    def __init__(self, folder: str, suffix: str = "") -> None:
        self.folder = folder
        self.suffix = suffix

    def __call__(self, instance: Any, filename: str) -> str:
        suffix = self.suffix
        if not suffix:  # keep only a safe extension from the name we generated ourselves
            dot = filename.rfind(".")
            ext = filename[dot:].lower() if dot >= 0 else ""
            suffix = ext if ext[1:].isalnum() and len(ext) <= 6 else ""
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and (self.folder, self.suffix) == (
            other.folder, other.suffix)

    def __hash__(self) -> int:
        return hash((self.folder, self.suffix))


# Working folders of the pipelines carry their process id, so that a worker killed mid-render
# (whose `with` never finished) leaves a folder the sweep can recognise as orphaned.
_WORK_DIR = re.compile(r"^shortory-[a-z]+-(\d+)-")


def work_dir(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary working folder for ``kind`` ("render", "upload", "dl"), removed on exit."""
    return tempfile.TemporaryDirectory(prefix=f"shortory-{kind}-{os.getpid()}-")


def remove_orphaned_temp_dirs(root: str | None = None) -> list[str]:
    """Remove the working folders of processes that no longer exist; returns their names."""
    base = Path(root or tempfile.gettempdir())
    removed = []
    for entry in base.iterdir():
        match = _WORK_DIR.match(entry.name)
        if not match or not entry.is_dir() or _alive(int(match[1])):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    if removed:
        logger.warning("removed %d working folders left by dead workers", len(removed))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@contextmanager
def local_copy(file: FieldFile) -> Iterator[Path]:
    """A path on this machine to read ``file`` from (ffmpeg needs one).

    Local storage: the file itself. Remote storage (S3): a temporary copy, streamed down in
    chunks and removed when the block ends, whatever happens inside it.
    """
    try:
        yield Path(file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(file.name or "").suffix
    with tempfile.TemporaryDirectory(prefix="shortory-media-") as tmp:
        path = Path(tmp) / f"local{suffix}"
        with file.storage.open(file.name or "", "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield path
