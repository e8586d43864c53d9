"""Reading uploaded CSV files: their encoding, delimiter and header, then their records as a stream.

Files come from spreadsheets and other tools: UTF-8 with or without a byte-order mark, UTF-16
(Excel's "Unicode text"), Windows-1252 (older Excel, Outlook); comma, semicolon (Excel in much of
Europe), tab or pipe between cells; quoted cells with line breaks inside; a few lines of notes
before the header (LinkedIn). Records stream from byte chunks through an incremental decoder and
`csv.reader`, so a file of any size is read in constant memory.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

SAMPLE_BYTES = 64 * 1024
SAMPLE_RECORDS = 50
DELIMITERS = (",", ";", "\t", "|")
# A cell this long is not a CRM field; it is a broken quote swallowing the rest of the file.
MAX_CELL = 1_000_000
csv.field_size_limit(MAX_CELL)
# Excel's and Numbers' native formats, which people upload when they mean their CSV export.
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class UnreadableFile(ValueError):
    """The file is not a CSV we can read (a spreadsheet, binary, or no header)."""


@dataclass(frozen=True)
class Layout:
    encoding: str
    delimiter: str
    header_index: int  # records before the header (notes, blank lines)
    columns: list[str]


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(_SPREADSHEET_MAGIC):
        raise UnreadableFile("This looks like an Excel or Numbers file: save it as CSV and upload that")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    if head and head.count(0) > len(head) // 4:
        # UTF-16 without a mark: ASCII text leaves every other byte NUL.
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    if b"\x00" in head:
        raise UnreadableFile("This is a binary file, not CSV text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def fallback_encoding(encoding: str) -> str | None:
    """What to try when a file stops decoding part-way (UTF-8 at first, Windows-1252 later)."""
    return {"utf-8": "cp1252", "cp1252": "latin-1"}.get(encoding)


def decode_lines(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    """Lines (ends kept) of the decoded stream; NUL characters, which PostgreSQL cannot store, go."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    carriage_only: bool | None = None
    for chunk in chunks:
        text = pending + decoder.decode(chunk)
        if carriage_only is None:
            # Classic Mac files end lines with a bare carriage return (one at a chunk's end may
            # still be half of a CRLF, so it decides nothing yet).
            if "\n" in text:
                carriage_only = False
            elif "\r" in text.rstrip("\r"):
                carriage_only = True
        if carriage_only:
            text = text.replace("\r", "\n")
        parts = text.replace("\x00", "").split("\n")
        pending = parts.pop()
        for part in parts:
            yield part + "\n"
    tail = pending + decoder.decode(b"", final=True)
    if tail:
        yield tail.replace("\x00", "")


def records(chunks: Iterable[bytes], encoding: str, delimiter: str) -> Iterator[list[str]]:
    """Every record of the file, the header and any notes before it included."""
    try:
        yield from csv.reader(decode_lines(chunks, encoding), delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not valid CSV: {exc}") from exc


def is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _shape_score(sample: list[list[str]]) -> tuple[int, int]:
    """How table-like records are: how many share the commonest width (above 1), and that width."""
    widths = Counter(len(r) for r in sample if not is_blank(r))
    if not widths:
        return 0, 0
    width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
    return (count if width > 1 else 0), width


def _lines(text: str, whole: bool) -> list[str]:
    """The sample's complete lines (the last one may be cut unless the sample is the whole file)."""
    parts = [part + "\n" for part in text.split("\n")]
    parts[-1] = parts[-1][:-1]
    return parts if whole else parts[:-1]


def _head(lines: list[str], delimiter: str) -> list[list[str]]:
    """The first records of a sample; one cut short by the sample's end is left out."""
    head: list[list[str]] = []
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for record in reader:
            head.append(record)
            if len(head) == SAMPLE_RECORDS:
                break
    except csv.Error:
        pass
    return head


def sniff_delimiter(lines: list[str]) -> str:
    scores = {d: _shape_score(_head(lines, d)) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (scores[d], -DELIMITERS.index(d)))


def find_header(sample: list[list[str]], known: Callable[[str], bool]) -> int:
    """The index of the header: the first record naming two known fields (one, in a file of one
    column), else the first record as wide as the table's commonest width. Notes before the
    header (LinkedIn's "Notes:") are narrower than the table, so they are passed over."""
    _, width = _shape_score(sample)
    for index, record in enumerate(sample[:20]):
        hits = sum(1 for cell in record if cell.strip() and known(cell))
        if hits >= 2 or (hits == 1 and width == 1):
            return index
    for index, record in enumerate(sample):
        if len(record) == width and not is_blank(record):
            return index
    raise UnreadableFile("The file has no header row")


def sniff(sample: bytes, known: Callable[[str], bool]) -> Layout:
    """The layout of a file from its first bytes."""
    if not sample.strip():
        raise UnreadableFile("The file is empty")
    encoding = detect_encoding(sample)
    lines = _lines("".join(decode_lines([sample], encoding)), whole=len(sample) < SAMPLE_BYTES)
    delimiter = sniff_delimiter(lines)
    head = _head(lines, delimiter)
    header_index = find_header(head, known)
    columns = [cell.strip().lstrip("\ufeff") for cell in head[header_index]]
    return Layout(encoding=encoding, delimiter=delimiter, header_index=header_index, columns=columns)
