"""Reading the CSV file: its encoding, its header and its records with their line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from madoguchi.register.importer.values import UNDECODABLE


def detect_encoding(path: Path, declared: str = "auto") -> str:
    if declared in ("utf-8", "utf-8-sig"):
        with path.open("rb") as fh:
            return "utf-8-sig" if fh.read(3) == codecs.BOM_UTF8 else "utf-8"
    if declared in ("cp932", "shift_jis"):
        return "cp932"
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Not clean UTF-8: the encoding that leaves fewer undecodable bytes wins (a UTF-8 file
    # with one broken byte stays UTF-8 and the byte is reported by line and column).
    bad = {
        enc: len(UNDECODABLE.findall(head.decode(enc, errors="surrogateescape")))
        for enc in ("utf-8", "cp932")
    }
    return "cp932" if bad["cp932"] < bad["utf-8"] else "utf-8"


def records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, fields) for every record after the header."""
    # surrogateescape: an undecodable byte becomes a lone surrogate, reported with its
    # exact line and column instead of aborting the read somewhere in a chunk
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        last = reader.line_num
        for row in reader:
            start, last = last + 1, reader.line_num
            if row:
                yield start, row


def read_header(path: Path, encoding: str) -> list[str]:
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        header = next(csv.reader(fh), [])
    if UNDECODABLE.search("".join(header)):
        raise UnicodeDecodeError(encoding, b"", 0, 1, "undecodable header")
    return header
