"""Refuse hostile workbooks before any parser sees them, and say so in one line.

A 16 MB .xlsx can expand to gigabytes of XML; one stray cell at XFD1048576 makes the
Excel reader allocate the whole 17-billion-cell rectangle and abort the process; a
100 MB cell stalls the table output.  :func:`check_workbook` reads only the zip
directory and streams the sheet and shared-string members through a bounded scanner,
so its own memory is a few MiB whatever the file holds, and raises
:class:`~kamtool.errors.DataError` (exit 1) naming the limit and the option that
raises it.

What is checked, and where the limits come from:

* the archive: total and per-member uncompressed size (``--max-input-size``), and the
  compression ratio, only when the total is also large (ratios of 50:1 are normal for
  sheets of repeated values); a member that inflates to more than the directory says is
  refused as a lie (the sizes are what every other check relies on);
* every worksheet: the declared ``<dimension>``, and the real extent of its cell
  references: rows beyond ``--max-rows`` (default 1,048,576, Excel's own), columns beyond
  XFD (16,384, Excel's own), a rectangle of more than ``--max-cells`` cells (default
  ``max_rows × 64``), and, while ``--max-cells`` is left at its default, a rectangle of
  more than 4,194,304 cells that is less than 1 % filled (a stray cell far from the data
  costs as much memory as the full rectangle);
* shared and inline strings: a text of more than 32,767 characters (Excel's own limit per
  cell; ``--max-cell-chars``).  Rich text split in runs is measured run by run.

Cost: the directory and the head of each sheet are free; the rest is one inflation of each sheet
(calamine sizes its grid by the cells it reads, not by ``<dimension>``, so a lying dimension
would hide the 512 GiB cell: the cells are read) and, after the first MiB of a sheet at most 26
columns wide, three C-speed passes a MiB (cells, rows, one search for a reference that could
reach beyond the extent so far); only a MiB with such a reference goes through the exact
patterns.  A file is scanned once per process: the prefetch thread and the open both check it
(keyed by device, inode, size, mtime and the text limit), the second from the first's scan.

``.xlsb`` and ``.ods`` are zip archives too: their directory sizes and ratio are checked
and their text members scanned for long strings; their binary or ODF cell ranges are not
measured.  ``.xls`` is not compressed, so only the file size is checked.

:func:`check_csv_line_limit` turns Arrow's "straddling object … increase block size?"
into the user's terms: which line (or a quoted field) is longer than the reader's block.
"""

from __future__ import annotations

import html
import io
import os
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kamtool.errors import DataError

EXCEL_ROWS = 1_048_576  # Excel's own sheet height
EXCEL_COLUMNS = 16_384  # XFD, Excel's own sheet width
EXCEL_CELL_CHARS = 32_767  # Excel's own limit on the text of one cell
GIB = 1 << 30
MIB = 1 << 20
CHUNK = 1 << 20  # inflated bytes scanned at a time: bounds the scanner's memory
HEAD_BYTES = 64 << 10  # the <dimension> comes before <sheetData>, after a few small elements
# The Arrow block size of kamtool.io.read's CSV readers (a longer line does not fit one): Arrow
# reads ahead several blocks, and 32 MiB blocks cost 1 GiB more.
CSV_BLOCK_BYTES = 8 << 20


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is refused; every limit has a command-line override.

    ``max_cells=None`` means ``max_rows × cells_per_row`` and turns on the sparseness
    rule (a large rectangle less than ``min_density`` filled is refused); a ``max_cells``
    given by the user is taken as the user's word and the sparseness rule is off.
    """

    max_rows: int = EXCEL_ROWS
    max_columns: int = EXCEL_COLUMNS
    max_cells: int | None = None
    cells_per_row: int = 64
    max_uncompressed: int = 2 * GIB  # total, and per member
    max_ratio: float = 100.0
    ratio_floor: int = 256 * MIB  # the ratio rule applies only above this total
    max_cell_chars: int = EXCEL_CELL_CHARS
    sparse_floor: int = 4 * MIB  # cells; a rectangle this small is cheap however empty
    min_density: float = 0.01

    @property
    def cell_limit(self) -> int:
        return self.max_cells if self.max_cells is not None else self.max_rows * self.cells_per_row


@dataclass
class SheetScan:
    """What one pass over a sheet's XML found (exposed for tests and for ``inspect``)."""

    declared: tuple[int, int, int, int] | None = None  # first row, first col, last row, last col
    max_row: int = 0
    max_col: int = 0
    min_row: int = 0
    min_col: int = 0
    cells: int = 0
    rows: int = 0
    longest_text: int = 0  # characters


# -- workbooks --------------------------------------------------------------------------
def check_workbook(path_or_bytes: str | os.PathLike[str] | bytes, name: str,
                   limits: Limits | None = None) -> None:
    """Raise DataError when the workbook would cost far more than its data is worth.

    Parameters
    ----------
    path_or_bytes
        The file's path, or its bytes (stdin).
    name
        The file as the user named it, for the message.
    limits
        The limits; ``Limits()`` when omitted.
    """
    limits = limits or Limits()
    if isinstance(path_or_bytes, bytes | bytearray):
        handle: BinaryIO = io.BytesIO(path_or_bytes)
        size = len(path_or_bytes)
    else:
        try:
            handle = open(path_or_bytes, "rb")  # noqa: SIM115 - closed below
        except OSError:
            return  # the reader says why it cannot open the file
        size = os.fstat(handle.fileno()).st_size
    with handle:
        magic = handle.read(8)
        handle.seek(0)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls, not compressed
            if size > limits.max_uncompressed:
                raise DataError.said("error.guard.more_limit_workbook_raise", name=name, size=_size(size),
                                     size2=_size(limits.max_uncompressed))
            return
        if not magic.startswith(b"PK"):
            return  # not an archive: the reader says what it is
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return  # broken archive: the reader's own message names it
        except NotImplementedError as exc:  # e.g. "zip file version 8.4" in a damaged directory
            raise DataError.said("error.guard.cannot_open_workbook_archive", name=name, exc=exc) from None
        with archive:
            _check_directory(archive, name, limits, size)
            key = _file_key(handle, limits) if not isinstance(path_or_bytes, bytes | bytearray) else None
            with _lock_for(key):
                done = _SCANNED.get(key) if key is not None else None
                try:
                    findings = done if done is not None else _scan_members(archive, handle, name, limits)
                except (NotImplementedError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
                    # A member the scan cannot inflate (an unknown zip version or method, a corrupt
                    # stream) is refused: no reader gets to parse what the guard could not measure.
                    raise DataError.said("error.guard.cannot_open_workbook_archive", name=name,
                                         exc=exc) from None
                if key is not None:
                    _SCANNED[key] = findings
            for what, label, value in findings:  # a second check (the prefetch, then the open) is free
                if isinstance(value, SheetScan):
                    _check_sheet(value, name, label, limits)
                else:
                    _check_text(value, name, what, limits)


# Scans of files already checked in this process, by file identity and the text limit the scan
# measured up to; a file is scanned once even when the prefetch thread and the open both check it.
_SCANNED: dict[tuple[int, int, int, int, int], list[tuple[str, str, SheetScan | int]]] = {}
_LOCKS: dict[tuple[int, int, int, int, int] | None, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _file_key(handle: BinaryIO, limits: Limits) -> tuple[int, int, int, int, int]:
    st = os.fstat(handle.fileno())
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, limits.max_cell_chars)


def _lock_for(key: tuple[int, int, int, int, int] | None) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(key, threading.Lock())


def _scan_members(archive: zipfile.ZipFile, handle: BinaryIO, name: str,
                  limits: Limits) -> list[tuple[str, str, SheetScan | int]]:
    """Every sheet's scan and every shared-strings member's longest text, checked as they come
    (a refusal stops the scan: what is left of a bomb is never inflated)."""
    labels = sheet_labels(archive, handle, name)
    findings: list[tuple[str, str, SheetScan | int]] = []
    for info in archive.infolist():
        lower = info.filename.lower()
        if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
            label = labels.get(info.filename, f"sheet file {info.filename}")
            scan = scan_sheet(handle, info, name, limits)
            _check_sheet(scan, name, label, limits)
            findings.append(("sheet", label, scan))
        elif lower in ("xl/sharedstrings.xml", "content.xml") or (
                lower.startswith("xl/") and lower.endswith("sharedstrings.xml")):
            longest = _scan_texts(handle, info, name, limits)
            _check_text(longest, name, "a shared string", limits)
            findings.append(("a shared string", "", longest))
    return findings


def _check_directory(archive: zipfile.ZipFile, name: str, limits: Limits, size: int) -> None:
    total = 0
    compressed = 0
    for info in archive.infolist():
        if info.file_size > limits.max_uncompressed:
            raise DataError.said("error.guard.member_expands_more_limit", name=name, filename=info.filename,
                                 size=_size(info.file_size), size2=_size(limits.max_uncompressed))
        total += info.file_size
        compressed += info.compress_size
    if total > limits.max_uncompressed:
        raise DataError.said("error.guard.workbook_expands_disk_more", name=name, size=_size(total),
                             size2=_size(size), size3=_size(limits.max_uncompressed))
    ratio = total / max(compressed, 1)
    if total > limits.ratio_floor and ratio > limits.max_ratio:
        raise DataError.said("error.guard.workbook_expands_fold_more", name=name, ratio=ratio,
                             size=_size(total), max_ratio=limits.max_ratio)


def _check_sheet(scan: SheetScan, name: str, sheet: str, limits: Limits) -> None:
    _check_text(scan.longest_text, name, f"a cell of {sheet}", limits)
    if scan.declared is not None:
        r0, c0, r1, c1 = scan.declared
        _check_rectangle(name, sheet, "declares", (r0, c0, r1, c1), scan.cells, limits)
    if scan.cells:
        _check_rectangle(name, sheet, "spans", (scan.min_row, scan.min_col, scan.max_row, scan.max_col),
                         scan.cells, limits)


def _check_rectangle(name: str, sheet: str, verb: str, box: tuple[int, int, int, int], cells: int,
                     limits: Limits) -> None:
    r0, c0, r1, c1 = box
    ref = f"{column_letters(c0)}{r0}:{column_letters(c1)}{r1}"
    if r1 > limits.max_rows:
        raise DataError.said("error.guard.rows_more_limit_excel", name=name, sheet=sheet, verb=verb, ref=ref,
                             r1=r1, max_rows=limits.max_rows, excel_rows=EXCEL_ROWS)
    if c1 > limits.max_columns:
        raise DataError.said("error.guard.columns_more_excel_xfd", name=name, sheet=sheet, verb=verb, ref=ref,
                             c1=c1, excel_columns=EXCEL_COLUMNS)
    area = (r1 - r0 + 1) * (c1 - c0 + 1)
    if area > limits.cell_limit:
        raise DataError.said("error.guard.cells_more_limit_delete", name=name, sheet=sheet, verb=verb,
                             ref=ref, area=area, cell_limit=limits.cell_limit)
    if limits.max_cells is None and area > limits.sparse_floor and cells < area * limits.min_density:
        raise DataError.said("error.guard.cells_but_holds_only", name=name, sheet=sheet, verb=verb, ref=ref,
                             area=area, cells=cells)


def _check_text(longest: int, name: str, what: str, limits: Limits) -> None:
    if longest > limits.max_cell_chars:
        raise DataError.said("error.guard.holds_characters_more_limit", name=name, what=what, longest=longest,
                             max_cell_chars=limits.max_cell_chars, excel_cell_chars=EXCEL_CELL_CHARS)


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_SWAPPED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def sheet_labels(archive: zipfile.ZipFile, handle: BinaryIO, name: str) -> dict[str, str]:
    """Sheet member -> "sheet 'Name'", from the first MiB of workbook.xml and its relations."""
    def head(member: str) -> bytes:
        try:
            info = archive.getinfo(member)
        except KeyError:
            return b""
        return next(member_chunks(handle, info, name), b"")

    rels = {m[1]: m[2] for m in _REL.finditer(head("xl/_rels/workbook.xml.rels"))}
    rels.update({m[2]: m[1] for m in _REL_SWAPPED.finditer(head("xl/_rels/workbook.xml.rels"))})
    labels: dict[str, str] = {}
    for match in _SHEET.finditer(head("xl/workbook.xml")):
        target = rels.get(match[2])
        if target:
            path = target.decode(errors="replace").lstrip("/")
            member = path if path.startswith("xl/") else f"xl/{path}"
            sheet = html.unescape(match[1].decode(errors="replace"))
            labels[member] = f"sheet {sheet!r}"
    return labels


# -- streaming a member -------------------------------------------------------------------
def member_chunks(handle: BinaryIO, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The inflated bytes of one member, CHUNK at a time, never more than it declares.

    Deflate is inflated here from the local header, not through ``ZipFile.open``, which
    stops at the declared size and so would hide a member that inflates to more: that is
    refused, since every other limit trusts the declared sizes.
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zipfile.ZipFile(handle).open(info) as member:  # bounded by the declared size
            while chunk := member.read(CHUNK):
                yield chunk
        return
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return  # broken: the reader reports it
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_len + extra_len)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    # Stored data is compress_size bytes (more than file_size: a lie, seen below); deflate runs to its end.
    left = info.compress_size if inflate is None else None
    out = 0
    while True:
        raw = handle.read(CHUNK if left is None else min(CHUNK, left))
        if not raw:
            return
        if left is not None:
            left -= len(raw)
        pieces = [raw] if inflate is None else _inflate(inflate, raw)
        for piece in pieces:
            out += len(piece)
            if out > info.file_size:
                raise DataError.said("error.guard.member_inflates_more_bytes", name=name,
                                     filename=info.filename, file_size=info.file_size)
            if piece:
                yield piece
        if (inflate is not None and inflate.eof) or left == 0:
            return


def _inflate(inflate: zlib._Decompress, raw: bytes) -> Iterator[bytes]:
    """Inflate ``raw`` at most CHUNK bytes at a time: a bomb never lands in memory at once."""
    data = raw
    while data and not inflate.eof:
        try:
            piece = inflate.decompress(data, CHUNK)
        except zlib.error:
            return  # corrupt: the reader reports it
        yield piece
        data = inflate.unconsumed_tail


# Honest sheets have few references of 2+ letters (AA = 27 columns), of letters right of the
# rightmost seen, or of more row digits than any row so far: the patterns below match rarely,
# and start with a literal, so the scan stays a few C-speed passes per chunk.
_ROW_FAST = {b"": re.compile(rb'<row r="([0-9]{1,12})"')}
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,12})"')
_ANY_REF = re.compile(rb' r="([A-Z]{1,4})([0-9]{1,12})"')
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,4})([0-9]{1,12})(?::([A-Z]{1,4})([0-9]{1,12}))?"')
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_CONTINUATION = bytes(range(0x80, 0xC0))
_ENTITY = re.compile(rb"&#?\w{1,10};")
_refs: dict[tuple[int, int, int], re.Pattern[bytes]] = {}


def _ref_pattern(right: int, left: int, digits: int) -> re.Pattern[bytes]:
    """References with ``digits`` or more row digits (letters and row captured), else with 2+
    letters, else with one letter right of ``right`` or left of ``left`` (letters captured)."""
    key = (min(right, 26), left, digits)
    pattern = _refs.get(key)
    if pattern is None:
        letters = "".join(chr(64 + c) for c in range(1, 27) if c > key[0] or c < left)
        one = f"[{letters}]" if letters else "(?!)"
        pattern = _refs[key] = re.compile(
            rb' r="(?:([A-Z]{1,4})([0-9]{%d,12})"|([A-Z]{2,4})[0-9]|(%s)[0-9])' % (digits, one.encode()))
    return pattern


def scan_sheet(handle: BinaryIO, info: zipfile.ZipInfo, name: str, limits: Limits) -> SheetScan:
    """One bounded pass over a sheet's XML: declared dimension, extent, cells, longest text.

    The extent is the largest row of a ``<row>`` and the largest column of a cell
    reference; a cell reference with more row digits than any ``<row>`` so far counts too
    (a cell placed far below its own row), so the rows are right to within a factor of 10.
    """
    scan = SheetScan()
    texts = _TextRuns(limits.max_cell_chars)
    carry = b""
    head = b""
    prefix: bytes | None = None
    for chunk in member_chunks(handle, info, name):
        texts.feed(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
            if prefix is None and (root := _ROOT.search(head)):
                prefix = root[1] or b""
            if scan.declared is None and (found := _DIMENSION.search(head)):
                c0, r0 = column_number(found[1]), int(found[2])
                c1, r1 = (column_number(found[3]), int(found[4])) if found[3] else (c0, r0)
                scan.declared = (min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))
        # Only tags wholly inside (carry + chunk) are counted; the cut tail waits for the next chunk.
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut < 0 or len(data) - cut > 256:
            cut = len(data)
        body, carry = data[:cut], data[cut:]
        _scan_cells(body, scan, prefix or b"")
    _scan_cells(carry, scan, prefix or b"")
    scan.longest_text = texts.longest
    return scan


_outliers: dict[tuple[int, int, int], re.Pattern[bytes]] = {}


def _outlier(right: int, left: int, digits: int) -> re.Pattern[bytes]:
    """Any reference that may reach beyond the extent so far (one letter, A..Z): of 2+ letters,
    of a letter right of ``right`` or left of ``left``, of ``digits`` or more row digits, a
    row's own number included (``<row r="…">``)."""
    key = (right, left, digits)
    pattern = _outliers.get(key)
    if pattern is None:
        outside = "".join(chr(64 + c) for c in range(1, 27) if c > right or c < left)
        one = f"[{outside}]|" if outside else ""
        pattern = _outliers[key] = re.compile(
            rb' r="(?:%s[A-Z]{2}|[A-Z]?[0-9]{%d})' % (one.encode(), digits))
    return pattern


def _fast_chunk(body: bytes, scan: SheetScan, prefix: bytes) -> bool:
    """A chunk after the first of a sheet at most 26 columns wide, in three C-speed passes: the
    cells, the rows, one search for an outlier; rows in order, so the last row is the deepest
    (a row out of order with no more digits than those so far is the factor-of-10 caveat of
    :func:`scan_sheet`).  False, and nothing changed, when the chunk needs the exact patterns.
    ``<c`` also starts a ``<color>`` of a rich-text run: the count can only be higher."""
    cells = body.count(b"<" + prefix + b"c")
    rows = body.count(b"<" + prefix + b"row")
    if not cells and not rows:
        return True
    top = max(scan.max_row, scan.rows + rows)
    start = body.rfind(b"<" + prefix + b'row r="')
    if start >= 0:
        at = start + len(prefix) + 8
        number = body[at:body.find(b'"', at, at + 13)]
        if not number.isdigit():
            return False
        top = max(top, int(number))
    if _outlier(scan.max_col, scan.min_col, len(str(top)) + 1).search(body):
        return False
    scan.cells += cells
    scan.rows += rows
    scan.max_row = top
    return True


def _scan_cells(body: bytes, scan: SheetScan, prefix: bytes) -> None:
    if scan.min_row and scan.max_col <= 26 and _fast_chunk(body, scan, prefix):
        return
    tag = b"<" + prefix + b"c"
    cells = body.count(tag + b" ") + body.count(tag + b">") + body.count(tag + b"/")
    rows = body.count(b"<" + prefix + b"row ") + body.count(b"<" + prefix + b"row>")
    if not cells and not rows:
        return
    scan.cells += cells
    scan.rows += rows
    fast = _ROW_FAST.get(prefix) or _ROW_FAST.setdefault(prefix, re.compile(
        rb"<" + re.escape(prefix) + rb'row r="([0-9]{1,12})"'))
    numbers = fast.findall(body)
    if len(numbers) < rows:  # r not the first attribute: the general pattern
        numbers = _ROW.findall(body)
    top = max(max(map(int, numbers), default=0), scan.max_row, scan.rows)
    if scan.min_row == 0:  # the rectangle's corner, from the first reference (data starts there)
        first = _ANY_REF.search(body)
        scan.min_row, scan.min_col = (int(first[2]), column_number(first[1])) if first else (1, 1)
        scan.max_col = max(scan.max_col, scan.min_col)
    right = scan.max_col
    left = scan.min_col
    # A set: the same column letters recur on every row; deep rows are rare and all kept.
    for deep_letters, deep, wide, one in set(_ref_pattern(right, left, len(str(top)) + 1).findall(body)):
        col = column_number(deep_letters or wide or one)
        right, left = max(right, col), min(left, col)
        if deep:
            top = max(top, int(deep))
    scan.max_row, scan.max_col, scan.min_col = top, right, left


def _scan_texts(handle: BinaryIO, info: zipfile.ZipInfo, name: str, limits: Limits) -> int:
    texts = _TextRuns(limits.max_cell_chars)
    for chunk in member_chunks(handle, info, name):
        texts.feed(chunk)
        if texts.longest > limits.max_cell_chars:
            break  # one is enough to refuse; no need to inflate the rest of a 4 GB member
    return texts.longest


class _TextRuns:
    """The longest run of text between tags, in characters, fed a chunk at a time.

    Text cannot hold '<', so a cell's text is a run of bytes without one; only runs of
    more than ``floor`` bytes (rare) are measured in characters: UTF-8 continuation bytes
    and entities (``&amp;`` is one character) are taken off.  Memory: the run is never
    kept, only its count.
    """

    def __init__(self, floor: int) -> None:
        self.floor = floor
        self.longest = 0
        self._open = 0  # characters of the run still open at the end of the last chunk

    def feed(self, chunk: bytes) -> None:
        first = chunk.find(b"<")
        if first < 0:  # the whole chunk continues the open run
            self._open += _chars(chunk)
            self.longest = max(self.longest, self._open)
            return
        self.longest = max(self.longest, self._open + _chars(chunk[:first]))
        last = chunk.rfind(b"<")
        for start, end in self._long_runs(chunk, first, last):
            self.longest = max(self.longest, _chars(chunk[chunk.find(b">", start, end) + 1:end]))
        close = chunk.find(b">", last)
        self._open = _chars(chunk[close + 1:]) if close >= 0 else 0
        self.longest = max(self.longest, self._open)

    def _long_runs(self, chunk: bytes, first: int, last: int) -> Iterator[tuple[int, int]]:
        """(start, end) of the runs without '<' between ``first`` and ``last`` that may exceed the floor.

        A run of more than ``floor`` bytes holds a whole aligned window of ``width`` bytes,
        so probing one window per ``width`` (each probe stops at the first '<', at once in
        honest XML) finds every long run without a regex pass over the chunk.
        """
        width = (self.floor + 2) // 2
        if width < 512:  # a tiny limit: the probes would be as slow as a plain pattern
            for match in re.finditer(rb"<[^<]{%d,}" % (self.floor + 1), chunk[first:last]):
                yield first + match.start(), first + match.end()
            return
        i = first - first % width + width
        while i + width <= last:
            if chunk.find(b"<", i, i + width) >= 0:
                i += width
                continue
            start = chunk.rfind(b"<", first, i)
            end = chunk.find(b"<", i + width, last + 1)
            yield start, end
            i = end - end % width + width


def _chars(piece: bytes) -> int:
    """Characters in a piece of UTF-8 XML text: continuation bytes and entity spellings off."""
    if not piece:
        return 0
    n = len(piece) - (len(piece) - len(piece.translate(None, _CONTINUATION)))
    if b"&" in piece:
        n -= sum(len(m) - 1 for m in _ENTITY.findall(piece))
    return n


# -- references ---------------------------------------------------------------------------
def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(number: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


def _size(n: int) -> str:
    if n >= GIB:
        return f"{n / GIB:,.1f} GiB"
    if n >= MIB:
        return f"{n / MIB:,.1f} MiB"
    return f"{n:,} bytes"


_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1 << 10, "m": 1000**2, "mb": 1000**2, "mib": MIB,
          "g": 1000**3, "gb": 1000**3, "gib": GIB, "t": 1000**4, "tb": 1000**4, "tib": 1 << 40}


def parse_size(text: str | int, option: str = "--max-input-size") -> int:
    """``"4GiB"``, ``"500MB"``, ``"2g"`` or a number of bytes -> bytes; a UsageError naming the option."""
    from kamtool.errors import UsageError

    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS or float(match.group(1)) <= 0:
        raise UsageError.said("error.guard.takes_size_such_gib", option=option, text=text)
    return int(float(match.group(1)) * _UNITS[unit])


# -- CSV ----------------------------------------------------------------------------------
def check_csv_line_limit(exc: BaseException, name: str, source: str | os.PathLike[str] | bytes | None = None,
                         block_bytes: int = CSV_BLOCK_BYTES) -> None:
    """Raise a DataError in the user's terms if ``exc`` is Arrow's block-size error; else return.

    Arrow's CSV reader fails with "straddling object straddles two block boundaries (try
    to increase block size?)" when one row does not fit its blocks.  With ``source`` (the
    file's path or bytes) the file is streamed once to find the first line longer than a
    block; when no physical line is, the long object is a quoted field holding line breaks,
    most often a quote that is never closed.
    """
    if "straddling object" not in str(exc) and "straddles" not in str(exc):
        return
    limit = _size(block_bytes)
    line = first_long_line(source, block_bytes) if source is not None else None
    if line is not None:
        raise DataError.said("error.guard.line_line_longer_most", name=name, line=line, limit=limit) from None
    raise DataError.said("error.guard.field_longer_most_one", name=name, limit=limit) from None


def first_long_line(source: str | os.PathLike[str] | bytes, limit: int) -> int | None:
    """The 1-based number of the first physical line longer than ``limit`` bytes, or None."""
    handle: BinaryIO = (io.BytesIO(source) if isinstance(source, bytes | bytearray)
                        else open(Path(source), "rb"))  # noqa: SIM115 - closed below
    with handle:
        line = 1
        length = 0
        while chunk := handle.read(CHUNK):
            start = 0
            while (end := chunk.find(b"\n", start)) >= 0:
                if length + end - start > limit:
                    return line
                line += 1
                length = 0
                start = end + 1
            length += len(chunk) - start
            if length > limit:
                return line
    return None
