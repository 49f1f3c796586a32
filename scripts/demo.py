"""`make demo`: upload-catalog end to end on samlite, in one command and a few seconds.

Starts template.yaml in this process (LocalCloud, free port, IAM on), uploads three images made here
(PNG, JPEG, GIF: no files needed, no imaging library) and a text file through the local S3 endpoint,
waits until the catalog function has handled every S3 event, prints the catalog table, and stops.
Nothing is left running; the state files go to a temporary directory, so a `make run` in another shell
is not disturbed.
"""

# ruff: noqa: T201  (a demo script: printing is its job)
from __future__ import annotations

import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from samlite.cloud.local_cloud import CloudOptions, LocalCloud
from samlite.cloud.log_stream import SAMLITE_SOURCE, TerminalPrinter

REPO = Path(__file__).resolve().parents[1]


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour 8-bit RGB PNG (ISO/IEC 15948: signature, IHDR, one IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width  # filter type 0 (None) then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """A one-colour GIF89a: a 2-entry palette and an LZW stream that paints every pixel with colour 0."""
    pixels = width * height
    # LZW with 2-bit minimum code size: emit clear (4), then colour 0 codes, resetting before the
    # table grows past 3-bit codes so every code stays 3 bits wide; end with end-of-information (5).
    codes: list[int] = []
    for start in range(0, pixels, 2):
        codes += [4, 0] + ([0] if start + 1 < pixels else [])
    codes.append(5)
    bits = 0
    count = 0
    stream = bytearray()
    for code in codes:
        bits |= code << count
        count += 3
        while count >= 8:
            stream.append(bits & 0xFF)
            bits >>= 8
            count -= 8
    if count:
        stream.append(bits & 0xFF)
    blocks = b"".join(
        bytes([len(stream[i : i + 255])]) + bytes(stream[i : i + 255]) for i in range(0, len(stream), 255)
    )
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # global colour table of 2 entries
        + bytes((30, 144, 255, 255, 255, 255))
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02"
        + blocks
        + b"\x00\x3b"
    )


def jpeg(width: int, height: int) -> bytes:
    """A mid-grey baseline JPEG (ITU T.81): one component, every DCT coefficient zero.

    With the level shift, grey 128 is a DC of 0, so each 8x8 block is "DC difference 0" then
    "end of block"; one-symbol Huffman tables code each as the single bit 0.
    """

    def segment(marker: int, data: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(data) + 2) + data

    one_symbol = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bit_count = 2 * blocks
    data = bytearray(b"\x00" * (bit_count // 8))
    if bit_count % 8:
        data.append((1 << (8 - bit_count % 8)) - 1)  # pad the last byte with 1 bits
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + bytes([1] * 64))
        + segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_symbol)
        + segment(0xC4, b"\x10" + one_symbol)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + bytes(data)
        + b"\xff\xd9"
    )


UPLOADS = {
    "photos/sunset.png": (png(64, 48, (250, 120, 40)), "image/png"),
    "photos/portrait.jpg": (jpeg(40, 56), "image/jpeg"),
    "icons/dot.gif": (gif(16, 16), "application/octet-stream"),  # mislabelled: the catalog sniffs it
    "notes/readme.txt": (b"upload-catalog demo: every object uploaded is catalogued.\n", "text/plain"),
}


def print_table(items: list[dict[str, dict[str, str]]]) -> None:
    columns = ("key", "content_type", "size", "dimensions", "declared_content_type")
    rows = []
    for item in sorted(items, key=lambda i: i["key"]["S"]):
        value = {name: next(iter(item[name].values())) if name in item else "" for name in columns}
        if "width" in item:
            value["dimensions"] = f"{item['width']['N']}x{item['height']['N']}"
        rows.append([str(value[name]) for name in columns])
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(columns)]
    print("  ".join(name.ljust(w) for name, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _samlite_lines_only(printer: TerminalPrinter) -> Callable[[str, str], None]:
    """Show samlite's own lines (what is not emulated, dropped events); function logs would bury the table."""

    def sink(source: str, line: str) -> None:
        if source == SAMLITE_SOURCE:
            printer(source, line)

    return sink


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="samlite-demo-") as state_dir:
        options = CloudOptions(
            template=REPO / "template.yaml",
            port=0,
            api_port=0,
            watch=False,
            state_dir=Path(state_dir),
            log_sink=_samlite_lines_only(TerminalPrinter(sys.stdout)),
        )
        with LocalCloud(options) as cloud:
            print(f"samlite ready: {cloud.url} in {time.perf_counter() - started:.1f} s")
            outputs = cloud.outputs
            s3 = cloud.client("s3")
            for key, (body, content_type) in UPLOADS.items():
                s3.put_object(
                    Bucket=outputs["UploadsBucketName"], Key=key, Body=body, ContentType=content_type
                )
                print(f"uploaded s3://{outputs['UploadsBucketName']}/{key} ({len(body)} bytes)")
            if not cloud.wait_idle(60):
                print("the catalog function did not finish in 60 s", file=sys.stderr)
                return 1
            items = cloud.client("dynamodb").scan(TableName=outputs["CatalogTableName"])["Items"]
            print(f"\nCatalog table {outputs['CatalogTableName']}:\n")
            print_table(items)
            failed = [r for r in cloud.invocations("CatalogFunction") if r.result.failed]
        print(f"\nstopped; {len(items)} objects catalogued, {len(failed)} failed invocation(s)")
    return 0 if len(items) == len(UPLOADS) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
