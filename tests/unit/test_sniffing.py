"""Content type and image size from leading bytes."""

from __future__ import annotations

import pytest
from upload_catalog.sniffing import Sniffed, sniff

from tests.unit import samples


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.png(640, 480), Sniffed("image/png", 640, 480)),
        (samples.png(1, 65535), Sniffed("image/png", 1, 65535)),
        (samples.gif(320, 200), Sniffed("image/gif", 320, 200)),
        (samples.jpeg(1920, 1080), Sniffed("image/jpeg", 1920, 1080)),
        (samples.jpeg(800, 600, app_padding=30_000), Sniffed("image/jpeg", 800, 600)),
        (samples.webp_vp8x(4000, 3000), Sniffed("image/webp", 4000, 3000)),
        (samples.webp_vp8(550, 368), Sniffed("image/webp", 550, 368)),
        (samples.webp_vp8l(1024, 16383), Sniffed("image/webp", 1024, 16383)),
        (samples.pdf(), Sniffed("application/pdf")),
    ],
    ids=["png", "png-tall", "gif", "jpeg", "jpeg-big-exif", "webp-vp8x", "webp-vp8", "webp-vp8l", "pdf"],
)
def test_known_formats(data: bytes, expected: Sniffed) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, world", b"\x00" * 100, b"RIFF\x00\x00\x00\x00WAVEfmt ", b"GIF8", b"%PD"],
    ids=["empty", "text", "zeros", "riff-wave", "short-gif", "short-pdf"],
)
def test_unknown_bytes_tell_nothing(data: bytes) -> None:
    assert sniff(data) == Sniffed()


def test_truncated_headers_keep_the_type_without_dimensions() -> None:
    assert sniff(samples.png(10, 10)[:20]) == Sniffed("image/png")
    assert sniff(samples.gif(10, 10)[:8]) == Sniffed("image/gif")
    assert sniff(samples.webp_vp8x(10, 10)[:26]) == Sniffed("image/webp")


def test_jpeg_whose_frame_header_lies_beyond_the_prefix_has_no_dimensions() -> None:
    # A 60 000-byte APP1 (EXIF) pushes SOF0 past a 32 KiB prefix: type known, size not.
    data = samples.jpeg(800, 600, app_padding=60_000)[: 32 * 1024]
    assert sniff(data) == Sniffed("image/jpeg")


def test_corrupt_jpeg_segments_stop_the_walk() -> None:
    assert sniff(b"\xff\xd8\xff\xe0\x00\x01garbage") == Sniffed("image/jpeg")
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10" + b"\x00" * 14 + b"not-a-marker") == Sniffed("image/jpeg")
