"""Small, valid images of any size, generated with the standard library (no imaging dependency).

Each is a complete file a viewer opens (a uniform grey picture), not just a header: the catalog reads
dimensions from the real structures, so the test files must have them where real encoders put them.
"""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int) -> bytes:
    """8-bit greyscale PNG (ISO/IEC 15948): signature, IHDR, one zlib IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # depth 8, greyscale, no interlace
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))  # filter byte 0 + pixels
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """GIF89a with a 4-colour global palette and one image of colour 0.

    LZW with minimum code size 2 (3-bit codes): a Clear code after every second pixel keeps the code
    table from growing, so each pixel is simply its colour index (a valid, if uncompressed, stream).
    """
    clear, end = 4, 5
    codes: list[int] = []
    for index in range(width * height):
        if index % 2 == 0:
            codes.append(clear)
        codes.append(0)
    codes.append(end)
    bits = 0
    nbits = 0
    data = bytearray()
    for code in codes:  # pack 3-bit codes, least significant bit first
        bits |= code << nbits
        nbits += 3
        while nbits >= 8:
            data.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        data.append(bits & 0xFF)
    blocks = b"".join(bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255))
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0x81, 0, 0)  # global colour table of 4 entries
        + bytes([0, 0, 0, 255, 255, 255, 128, 128, 128, 0, 0, 0])
        + b","  # image descriptor
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02"  # LZW minimum code size
        + blocks
        + b"\x00;"  # block terminator, trailer
    )


def jpeg(width: int, height: int) -> bytes:
    """Baseline greyscale JPEG (ITU T.81) of a uniform mid-grey picture.

    With the level shift, mid-grey is 0 in every 8x8 block: DC difference category 0 and an immediate
    end-of-block. One-symbol Huffman tables give each of those a 1-bit code, so every block is two 0
    bits; the scan is padded with 1 bits as the standard requires.
    """

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15)  # one code of length 1
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    nbits = 2 * blocks
    scan = bytearray(b"\x00" * (nbits // 8))
    if nbits % 8:
        scan.append((1 << (8 - nbits % 8)) - 1)  # remaining bits of the last byte are padding 1s
    return (
        b"\xff\xd8"  # SOI
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)  # quantisation table 0, all ones
        + segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")  # SOF0
        + segment(0xC4, b"\x00" + one_code + b"\x00")  # DC table 0: symbol 0 (category 0)
        + segment(0xC4, b"\x10" + one_code + b"\x00")  # AC table 0: symbol 0x00 (end of block)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")  # SOS: component 1 uses tables 0/0
        + bytes(scan)
        + b"\xff\xd9"  # EOI
    )
