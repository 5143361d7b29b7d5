"""Replacing the avcC box of an ffmpeg-written (moov after mdat) MP4, on files built here."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from render.mp4 import boxes, replace_avcc


def box(kind: bytes, body: bytes, *, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body
    return struct.pack(">I4s", 8 + len(body), kind) + body


def movie(avcc: bytes, *, moov_first: bool = False, large_trak: bool = False) -> bytes:
    avc1 = box(b"avc1", bytes(78) + box(b"avcC", avcc) + box(b"btrt", bytes(12)))
    stbl = box(b"stbl", box(b"stsd", bytes(8) + avc1) + box(b"stts", bytes(8)))
    trak = box(b"trak", box(b"tkhd", bytes(84)) + box(b"mdia", box(b"minf", stbl)),
               large=large_trak)
    moov = box(b"moov", box(b"mvhd", bytes(100)) + trak)
    parts = [box(b"ftyp", b"isom\x00\x00\x02\x00"), box(b"mdat", b"\x00" * 64)]
    return b"".join([parts[0], moov, parts[1]] if moov_first else [*parts, moov])


def walk(data: bytes, start: int = 0, end: int | None = None) -> dict[bytes, bytes]:
    """Every box by kind (the last one of a kind wins), through the containers used here."""
    found: dict[bytes, bytes] = {}
    skip = {b"stsd": 8, b"avc1": 78}
    for pos, header, size, kind in boxes(data, start, len(data) if end is None else end):
        found[kind] = data[pos + header:pos + size]
        if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"avc1"):
            found.update(walk(data, pos + header + skip.get(kind, 0), pos + size))
    return found


@pytest.mark.parametrize("large_trak", [False, True])
def test_avcc_is_replaced_and_every_parent_resized(tmp_path: Path, large_trak: bool) -> None:
    path = tmp_path / "segment.mp4"
    path.write_bytes(movie(b"old", large_trak=large_trak))
    new = b"a longer avcC record"

    replace_avcc(path, new)

    data = path.read_bytes()
    assert len(data) == len(movie(b"old", large_trak=large_trak)) + len(new) - 3
    found = walk(data)  # sizes consistent all the way down, or boxes() would raise
    assert found[b"avcC"] == new
    assert found[b"btrt"] == bytes(12) and found[b"stts"] == bytes(8)
    assert [kind for *_, kind in boxes(data, 0, len(data))] == [b"ftyp", b"mdat", b"moov"]


def test_moov_before_mdat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faststart.mp4"
    path.write_bytes(movie(b"old", moov_first=True))
    with pytest.raises(ValueError, match="unexpected mp4 layout"):
        replace_avcc(path, b"new")
    assert path.read_bytes() == movie(b"old", moov_first=True)


def test_malformed_boxes_are_refused() -> None:
    data = struct.pack(">I4s", 64, b"moov") + bytes(8)  # claims more than there is
    with pytest.raises(ValueError, match="malformed"):
        list(boxes(data, 0, len(data)))
