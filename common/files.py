"""Generated media names. Nothing in a stored path comes from user input.

Files are removed with their rows by django-cleanup (one mechanism for every FileField: after
the transaction commits, so a failed delete never leaves rows pointing at missing files).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.deconstruct import deconstructible


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
