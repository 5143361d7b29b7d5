"""The little of H.264 the smart cut needs to read: IDR slices in length-prefixed samples,
the avcC record (AVCDecoderConfigurationRecord) and the ids of its parameter sets."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

# Profiles whose avcC carries the extension fields after the PPS list.
_HIGH_PROFILES = (100, 110, 122, 144)
_NAL_IDR_SLICE = 5


def has_idr_slice(sample: bytes) -> bool:
    """Whether a length-prefixed (4-byte) H.264 sample contains an IDR slice (NAL type 5)."""
    pos = 0
    while pos + 5 <= len(sample):
        size = struct.unpack_from(">I", sample, pos)[0]
        if size == 0 or pos + 4 + size > len(sample):
            return False
        if sample[pos + 4] & 0x1F == _NAL_IDR_SLICE:
            return True
        pos += 4 + size
    return False


@dataclass
class AvcConfig:
    """An avcC record, split into the parts the smart cut edits."""

    head: bytes  # version, profile, compatibility, level, length size
    sps: list[bytes]
    pps: list[bytes]
    trailer: bytes  # the High-profile extension fields, kept verbatim

    @property
    def length_size(self) -> int:
        return (self.head[4] & 0x03) + 1

    @property
    def profile(self) -> int:
        return self.head[1]

    @property
    def level(self) -> int:
        return self.head[3]

    def to_bytes(self) -> bytes:
        out = bytearray(self.head)
        out.append(0xE0 | len(self.sps))
        for nal in self.sps:
            out += struct.pack(">H", len(nal)) + nal
        out.append(len(self.pps))
        for nal in self.pps:
            out += struct.pack(">H", len(nal)) + nal
        return bytes(out + self.trailer)


def parse_avcc(data: bytes) -> tuple[AvcConfig, int]:
    """Parse an AVCDecoderConfigurationRecord; returns it and the bytes it used (without the
    trailer, whose length this function cannot know when more data follows)."""
    if len(data) < 7 or data[0] != 1:
        raise ValueError("not an avcC record")
    pos = 6
    sps: list[bytes] = []
    pps: list[bytes] = []
    for _ in range(data[5] & 0x1F):
        (size,) = struct.unpack_from(">H", data, pos)
        sps.append(bytes(data[pos + 2:pos + 2 + size]))
        pos += 2 + size
    count = data[pos]
    pos += 1
    for _ in range(count):
        (size,) = struct.unpack_from(">H", data, pos)
        pps.append(bytes(data[pos + 2:pos + 2 + size]))
        pos += 2 + size
    if pos > len(data) or any(not n for n in sps + pps):
        raise ValueError("truncated avcC record")
    return AvcConfig(head=bytes(data[:5]), sps=sps, pps=pps, trailer=b""), pos


def leading_avcc(blob: bytes) -> bytes | None:
    """The avcC record that ``dump_extra`` put in front of the first packet (None if the
    stream's extradata is not avcC, e.g. Annex B from MPEG-TS)."""
    try:
        config, used = parse_avcc(blob)
    except (ValueError, struct.error, IndexError):
        return None
    rest = blob[used:]
    # High profiles append 4+ bytes (chroma format, bit depths, SPS-ext count); they are
    # recognisable by their reserved bits. Everything else is the first packet.
    if config.profile in _HIGH_PROFILES and len(rest) >= 4 and rest[0] & 0xFC == 0xFC \
            and rest[1] & 0xF8 == 0xF8 and rest[2] & 0xF8 == 0xF8:
        extra = 4
        for _ in range(rest[3]):
            (size,) = struct.unpack_from(">H", rest, extra)
            extra += 2 + size
        return blob[:used + extra]
    return blob[:used]


def avcc_trailer(record: bytes) -> bytes:
    """What follows the parameter sets in a complete avcC record (High-profile fields)."""
    _, used = parse_avcc(record)
    return record[used:]


class BitReader:
    """Reads bits and unsigned exp-Golomb codes from the payload of a NAL unit."""

    def __init__(self, nal: bytes) -> None:
        # Drop emulation-prevention bytes (00 00 03 -> 00 00).
        self.data = re.sub(b"\x00\x00\x03", b"\x00\x00", nal)
        self.pos = 0

    def bit(self) -> int:
        byte = self.data[self.pos >> 3]
        value = (byte >> (7 - (self.pos & 7))) & 1
        self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad exp-Golomb code")
        value = 1
        for _ in range(zeros):
            value = (value << 1) | self.bit()
        return value - 1


def sps_id(nal: bytes) -> int:
    """seq_parameter_set_id of an SPS NAL unit."""
    reader = BitReader(nal[4:])  # NAL header, profile, constraints, level
    return reader.ue()


def pps_ids(nal: bytes) -> tuple[int, int]:
    """(pic_parameter_set_id, seq_parameter_set_id) of a PPS NAL unit."""
    reader = BitReader(nal[1:])
    return reader.ue(), reader.ue()
