"""Glyph coverage of the vendored fonts (cmap and variation sequences, read directly)."""

from __future__ import annotations

import functools
import mmap
import struct
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"


def _cmap_points(data, font_offset: int) -> set[int]:
    """Code points mapped by the cmap of the sfnt at ``font_offset`` (format 12, else 4)."""
    (num_tables,) = struct.unpack_from(">H", data, font_offset + 4)
    cmap = None
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, font_offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap = offset
    if cmap is None:
        return set()
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables = [struct.unpack_from(">HHI", data, cmap + 4 + 8 * i) for i in range(count)]
    points: set[int] = set()
    by_format = {}
    for _pid, _eid, off in subtables:
        by_format.setdefault(struct.unpack_from(">H", data, cmap + off)[0], cmap + off)
    if 14 in by_format:  # variation sequences, recorded as (base << 32) | selector
        points |= _uvs_pairs(data, by_format[14])
    if 12 in by_format:
        base = by_format[12]
        (groups,) = struct.unpack_from(">I", data, base + 12)
        for g in range(groups):
            start, end, _ = struct.unpack_from(">III", data, base + 16 + 12 * g)
            points.update(range(start, end + 1))
    elif 4 in by_format:
        base = by_format[4]
        (seg_x2,) = struct.unpack_from(">H", data, base + 6)
        segs = seg_x2 // 2
        ends = struct.unpack_from(f">{segs}H", data, base + 14)
        starts = struct.unpack_from(f">{segs}H", data, base + 16 + seg_x2)
        for start, end in zip(starts, ends, strict=True):
            if start != 0xFFFF:
                points.update(range(start, end + 1))
    return points


def _uint24(data, offset: int) -> int:
    hi, lo = struct.unpack_from(">BH", data, offset)
    return (hi << 16) | lo


def _uvs_pairs(data, base: int) -> set[int]:
    """The (base, selector) pairs of a cmap format 14 subtable (default and non-default
    UVS), each as ``(base << 32) | selector``."""
    pairs: set[int] = set()
    (records,) = struct.unpack_from(">I", data, base + 6)
    for r in range(records):
        rec = base + 10 + 11 * r
        selector = _uint24(data, rec)
        default_off, non_default_off = struct.unpack_from(">II", data, rec + 3)
        if default_off:
            (ranges,) = struct.unpack_from(">I", data, base + default_off)
            for i in range(ranges):
                start = _uint24(data, base + default_off + 4 + 4 * i)
                (extra,) = struct.unpack_from(">B", data, base + default_off + 7 + 4 * i)
                pairs.update((cp << 32) | selector for cp in range(start, start + extra + 1))
        if non_default_off:
            (mappings,) = struct.unpack_from(">I", data, base + non_default_off)
            for i in range(mappings):
                cp = _uint24(data, base + non_default_off + 4 + 5 * i)
                pairs.add((cp << 32) | selector)
    return pairs


@functools.cache
def font_coverage(font_dir: Path = FONT_DIR) -> frozenset[int]:
    """Every code point some vendored font can print (the fallback chain uses them all)."""
    points: set[int] = set()
    for path in sorted(font_dir.glob("*.tt[fc]")) + sorted(font_dir.glob("*.otf")):
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data[:4] == b"ttcf":
                (n,) = struct.unpack_from(">I", data, 8)
                offsets = struct.unpack_from(f">{n}I", data, 12)
            else:
                offsets = (0,)
            for offset in offsets:
                points |= _cmap_points(data, offset)
    return frozenset(points)


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` no vendored font can print (e.g. a legacy 外字 in the
    private use area), and variation sequences no font knows; spaces are not glyphs."""
    covered = font_coverage()
    out = []
    for i, ch in enumerate(text):
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            # an ideographic variation sequence must be known as a pair, else the base
            # glyph would print instead of the registered variant
            seq = text[i - 1 : i + 1] if i else ch
            if i and ((ord(text[i - 1]) << 32) | cp) not in covered and seq not in out:
                out.append(seq)
            continue
        if ch.isspace() or cp < 0x20:
            continue
        if cp not in covered and ch not in out:
            out.append(ch)
    return out
