"""Leading bytes of real-format files, built from the format specifications (no imaging library).

Each builder returns a complete header as the format defines it, padded with payload bytes, so that
the sniffer is tested on what an encoder writes and not on a hand-waved signature.
"""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int, payload: int = 0) -> bytes:
    """A valid PNG: signature, IHDR (8-bit RGB), one IDAT of zero rows, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"".join(b"\x00" + b"\x00" * 3 * min(width, 4) for _ in range(min(height, 4))))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", rows)
        + b"\x00" * payload
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """GIF89a header and logical screen descriptor, then a trailer."""
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b";"


def jpeg(width: int, height: int, app_padding: int = 0) -> bytes:
    """SOI, APP0 (JFIF), an optional APP1 of ``app_padding`` bytes, DQT, SOF0, SOS, EOI."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    out = b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
    if app_padding:
        out += b"\xff\xe1" + struct.pack(">H", app_padding + 2) + b"\x00" * app_padding
    dqt = b"\x00" + bytes(range(1, 65))
    out += b"\xff\xdb" + struct.pack(">H", len(dqt) + 2) + dqt
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    out += b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
    sos = b"\x01\x01\x00\x00\x3f\x00"
    out += b"\xff\xda" + struct.pack(">H", len(sos) + 2) + sos + b"\x12\x34" + b"\xff\xd9"
    return out


def _riff(chunk: bytes, data: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_vp8x(width: int, height: int) -> bytes:
    """Extended WebP: flags, reserved, canvas width-1 and height-1 (24-bit little-endian)."""
    data = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X", data)


def webp_vp8(width: int, height: int) -> bytes:
    """Lossy WebP key frame: frame tag, start code 9d 01 2a, 14-bit width and height."""
    data = b"\x30\x01\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    return _riff(b"VP8 ", data)


def webp_vp8l(width: int, height: int) -> bytes:
    """Lossless WebP: signature 0x2f, then width-1 and height-1 in 14 bits each."""
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L", b"\x2f" + bits.to_bytes(4, "little") + b"\x00" * 4)


def pdf() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
