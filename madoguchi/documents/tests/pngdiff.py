"""Rendering PDF pages to greyscale pixels (pypdfium2) and a minimal PNG codec for the
visual-regression references (8-bit greyscale, filter 0), so the tests need no Pillow."""

from __future__ import annotations

import struct
import zlib

import pypdfium2 as pdfium


def page_pixels(pdf: bytes, index: int = 0, scale: float = 1.0) -> tuple[int, int, bytes]:
    """Page ``index`` at ``scale`` (1.0 = 72 dpi) as (width, height, 8-bit grey rows)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        bitmap = doc[index].render(scale=scale, grayscale=True, may_draw_forms=False)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        raw = bytes(bitmap.buffer)
        channels = stride // width if stride >= width else 1
        if bitmap.n_channels == 1:
            rows = b"".join(raw[y * stride : y * stride + width] for y in range(height))
        else:  # BGR(A): take one channel (grey rendering makes them equal)
            n = bitmap.n_channels
            rows = b"".join(raw[y * stride : y * stride + width * n : n] for y in range(height))
        del channels
        return width, height, rows
    finally:
        doc.close()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_png(width: int, height: int, grey: bytes) -> bytes:
    raw = b"".join(b"\x00" + grey[y * width : (y + 1) * width] for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Decode a PNG written by :func:`encode_png` (8-bit grey, filter 0 only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 0), "reference PNGs are 8-bit greyscale"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = []
    for y in range(height):
        line = raw[y * (width + 1) : (y + 1) * (width + 1)]
        assert line[0] == 0, "only filter 0 is supported"
        rows.append(line[1:])
    return width, height, b"".join(rows)


def diff_ratio(a: bytes, b: bytes, threshold: int = 64) -> float:
    """Share of pixels whose grey level differs by more than ``threshold``."""
    if len(a) != len(b):
        return 1.0
    differing = sum(1 for x, y in zip(a, b, strict=True) if abs(x - y) > threshold)
    return differing / max(len(a), 1)
