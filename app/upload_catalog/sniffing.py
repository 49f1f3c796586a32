"""Content type and image size from the first bytes of an object (at most 64 KiB, never the whole object).

Pure functions over ``bytes``: the declared ``Content-Type`` of an upload is whatever the client sent,
so the catalog also records what the bytes say. Formats follow their published specifications:
PNG (ISO/IEC 15948, IHDR chunk), GIF (89a spec, logical screen descriptor), JPEG (ITU T.81, SOFn
markers), WebP (RIFF container: VP8, VP8L and VP8X chunks), PDF (ISO 32000, ``%PDF-`` header).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers without a length field (TEM, RSTn, SOI, EOI) - skipped while walking segments.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})


@dataclass(frozen=True)
class Sniffed:
    """What the leading bytes reveal; ``None`` where they do not tell."""

    content_type: str | None = None
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> Sniffed:
    """Detect the type of ``data`` (a prefix of an object) and, for images, its width and height."""
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf")
    return Sniffed()


def _png(data: bytes) -> Sniffed:
    # The IHDR chunk must come first: length(4) type(4) width(4) height(4), all big-endian.
    if len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return Sniffed("image/png", width, height)
    return Sniffed("image/png")


def _gif(data: bytes) -> Sniffed:
    if len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return Sniffed("image/gif", width, height)
    return Sniffed("image/gif")


def _jpeg(data: bytes) -> Sniffed:
    """Walk the marker segments until a start-of-frame segment, which carries height then width."""
    pos = 2
    end = len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            break  # not at a marker: corrupt or truncated stream
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            break
        if marker in _JPEG_SOF_MARKERS:
            if pos + 9 <= end:
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return Sniffed("image/jpeg", width, height)
            break
        if marker == 0xDA:  # start of scan: entropy-coded data follows, no frame header found before it
            break
        pos += 2 + length
    return Sniffed("image/jpeg")


def _webp(data: bytes) -> Sniffed:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        # Canvas width-1 and height-1 as 24-bit little-endian at offsets 24 and 27.
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return Sniffed("image/webp", width, height)
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        # Lossy key frame: start code 9d 01 2a, then 14-bit width and height (2 scale bits on top).
        width, height = struct.unpack("<HH", data[26:30])
        return Sniffed("image/webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        # Lossless: signature 0x2f, then 14-bit width-1 and 14-bit height-1, little-endian bit packing.
        bits = int.from_bytes(data[21:25], "little")
        return Sniffed("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    return Sniffed("image/webp")
