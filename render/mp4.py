"""Minimal MP4 box editing: replace the avcC of a (moov-at-the-end) file written by ffmpeg.

The smart cut's joined output takes its codec configuration from its first segment, so that
segment's avcC is swapped for the merged one; only the boxes above it change size.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
# Bytes between a sample-description box's header and its child boxes.
_CHILDREN_AT = {b"stsd": 8, b"avc1": 78}


def boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[int, int, int, bytes]]:
    """The boxes in ``data[start:end]``: (offset, header length, size, four-cc)."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("malformed mp4 box")
        yield pos, header, size, kind
        pos += size


def replace_avcc(path: Path, avcc: bytes) -> None:
    """Put ``avcc`` (a record, without box header) in place of the file's first avcC box.
    Raises ValueError for a file laid out otherwise than ffmpeg writes it by default."""
    data = bytearray(path.read_bytes())
    chain: list[tuple[int, int]] = []  # (offset, header length) of each ancestor box

    def find(start: int, end: int) -> tuple[int, int, int] | None:
        for pos, header, size, kind in boxes(data, start, end):
            if kind in _CONTAINERS or kind in _CHILDREN_AT:
                body = pos + header + _CHILDREN_AT.get(kind, 0)
                chain.append((pos, header))
                found = find(body, pos + size)
                if found:
                    return found
                chain.pop()
            elif kind == b"avcC":
                return pos, header, size
        return None

    mdat = next((pos for pos, _, _, kind in boxes(data, 0, len(data)) if kind == b"mdat"), None)
    found = find(0, len(data))
    if found is None or mdat is None or chain[0][0] < mdat:
        # moov before mdat would need every chunk offset rewritten; ffmpeg never writes the
        # segment that way without +faststart, so this is a guard, not a code path.
        raise ValueError("unexpected mp4 layout for the re-encoded segment")
    pos, header, size = found
    delta = header + len(avcc) - size
    data[pos:pos + size] = struct.pack(">I4s", header + len(avcc), b"avcC") + avcc
    for box_pos, box_header in chain:
        if box_header == 16:
            (old,) = struct.unpack_from(">Q", data, box_pos + 8)
            struct.pack_into(">Q", data, box_pos + 8, old + delta)
        else:
            (old,) = struct.unpack_from(">I", data, box_pos)
            struct.pack_into(">I", data, box_pos, old + delta)
    path.write_bytes(bytes(data))
