"""The H.264 reading the smart cut relies on: exp-Golomb codes, parameter-set ids, IDR
slices, and avcC records (built here byte by byte, no ffmpeg)."""

from __future__ import annotations

import struct

import pytest

from render.h264 import (
    AvcConfig,
    BitReader,
    avcc_trailer,
    has_idr_slice,
    leading_avcc,
    parse_avcc,
    pps_ids,
    sps_id,
)

# NAL header, profile_idc 100, constraints, level_idc 31, then ue(3) = 00100 (+ stop bits).
SPS = bytes([0x67, 100, 0x00, 31, 0b00100_100])
# NAL header, then ue(2) = 011 (pps id) and ue(3) = 00100 (sps id).
PPS = bytes([0x68, 0b011_00100, 0x80])
# High-profile avcC extension: chroma 4:2:0, 8-bit luma and chroma, no SPS extensions.
HIGH_TRAILER = bytes([0xFC | 1, 0xF8, 0xF8, 0])


def avcc(sps: list[bytes], pps: list[bytes], profile: int = 100, trailer: bytes = b"") -> bytes:
    out = bytearray([1, profile, 0, 31, 0xFC | 3, 0xE0 | len(sps)])
    for nal in sps:
        out += struct.pack(">H", len(nal)) + nal
    out.append(len(pps))
    for nal in pps:
        out += struct.pack(">H", len(nal)) + nal
    return bytes(out + trailer)


def sample(*nals: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(n)) + n for n in nals)


def test_exp_golomb_codes() -> None:
    # 1 | 010 | 011 | 00100 | 00111 -> 0, 1, 2, 3, 6
    reader = BitReader(bytes([0b1010_0110, 0b0100_0011, 0b1000_0000]))
    assert [reader.ue() for _ in range(5)] == [0, 1, 2, 3, 6]
    with pytest.raises(ValueError, match="exp-Golomb"):
        BitReader(bytes(5)).ue()


def test_emulation_prevention_bytes_are_dropped() -> None:
    assert BitReader(b"\x00\x00\x03\x01\x00\x00\x03\x00").data == b"\x00\x00\x01\x00\x00\x00"


def test_parameter_set_ids() -> None:
    assert sps_id(SPS) == 3
    assert pps_ids(PPS) == (2, 3)


def test_idr_slices_are_found_in_length_prefixed_samples() -> None:
    sei, idr, non_idr = b"\x06\x05\x01\x80", b"\x65\x88\x84", b"\x41\x9a\x02"
    assert has_idr_slice(sample(sei, SPS, PPS, idr))
    assert not has_idr_slice(sample(sei, non_idr))
    assert not has_idr_slice(sample(sei)[:-1] + sample(idr))  # a damaged length stops the scan
    assert not has_idr_slice(b"")


def test_avcc_round_trip() -> None:
    record = avcc([SPS], [PPS], trailer=HIGH_TRAILER)
    config, used = parse_avcc(record)

    assert (config.profile, config.level, config.length_size) == (100, 31, 4)
    assert (config.sps, config.pps) == ([SPS], [PPS])
    assert used == len(record) - len(HIGH_TRAILER)
    assert avcc_trailer(record) == HIGH_TRAILER
    config.trailer = HIGH_TRAILER
    assert config.to_bytes() == record
    merged = AvcConfig(head=config.head, sps=[SPS, SPS[:-1] + b"\x80"], pps=[PPS, PPS],
                       trailer=HIGH_TRAILER)
    assert parse_avcc(merged.to_bytes())[0].sps == merged.sps


def test_bad_avcc_records_are_refused() -> None:
    with pytest.raises(ValueError, match="not an avcC"):
        parse_avcc(b"\x00" * 10)
    with pytest.raises(ValueError, match="truncated"):
        parse_avcc(avcc([SPS], [b""]))


def test_leading_avcc_separates_the_record_from_the_first_packet() -> None:
    packet = sample(b"\x65\x88\x84")
    high = avcc([SPS], [PPS], trailer=HIGH_TRAILER)
    main = avcc([SPS], [PPS], profile=77)

    assert leading_avcc(high + packet) == high
    assert leading_avcc(main + packet) == main
    assert leading_avcc(b"\x00\x00\x00\x01\x67" + SPS) is None  # Annex B, not avcC
