"""Hostile files, made in memory in well under a second: for the parsers, the upload form
and the CLI alike.

    zip_bomb_workbook()    a real XLSX of about a megabyte whose sheet unpacks to 256 MB
    entity_bomb_workbook() a sheet whose XML expands "billion laughs" entities
    long_csv(), long_workbook()   200,000 rows of one name each (a CSV under 2 MB)
    JUNK                   random bytes, as a CSV or as an XLSX would arrive
    session files          billion laughs, an alias loop, deep nesting, too large, not UTF-8

The zip bomb is deflated here by hand: one compressed row, cut off with a full flush (no
reference reaches back past it), repeated 256 MB worth. zlib would need seconds to
compress that much, and the archive is the same either way.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
import zlib

import openpyxl

MIB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
SHEET_TAIL = b"</sheetData></worksheet>"
JUNK = random.Random(5).randbytes(64 * 1024)  # random bytes, the same on every run


def small_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["name"])
    workbook.active.append(["Amina"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(sheet_xml: bytes) -> bytes:
    """The small workbook with its first sheet's XML replaced."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small_workbook())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            target.writestr(
                part.filename, sheet_xml if part.filename == SHEET else source.read(part)
            )
    return buffer.getvalue()


# ── a zip archive written by hand, so one part can be pre-deflated ────────────────────


def _segment(data: bytes, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as zip stores it
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
    )


def _archive(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated bytes, unpacked size, CRC-32) parts (APPNOTE 4.3)."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, packed, size, crc in parts:
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded))  # 0x21: 1980-01-01
        directory.write(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, body.tell())
            + encoded
        )
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + packed)
    count, start, length = len(parts), body.tell(), directory.tell()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, length, start, 0)
    return body.getvalue() + directory.getvalue() + end


@functools.cache
def zip_bomb_workbook(unpacked: int = 256 * MIB) -> bytes:
    """A workbook whose sheet XML unpacks to `unpacked` bytes of one repeated row."""
    row = b'<row><c t="inlineStr"><is><t>Amina</t></is></c></row>' * 20_000
    times = (unpacked - len(SHEET_HEAD) - len(SHEET_TAIL)) // len(row)
    sheet_crc = zlib.crc32(SHEET_HEAD)
    for _ in range(times):
        sheet_crc = zlib.crc32(row, sheet_crc)
    sheet_crc = zlib.crc32(SHEET_TAIL, sheet_crc)
    packed = _segment(SHEET_HEAD, False) + _segment(row, False) * times + _segment(SHEET_TAIL, True)
    size = len(SHEET_HEAD) + len(row) * times + len(SHEET_TAIL)
    parts = []
    with zipfile.ZipFile(io.BytesIO(small_workbook())) as source:
        for part in source.infolist():
            if part.filename == SHEET:
                parts.append((SHEET, packed, size, sheet_crc))
            else:
                data = source.read(part)
                parts.append((part.filename, _segment(data, True), len(data), zlib.crc32(data)))
    return _archive(parts)


def entity_bomb_workbook() -> bytes:
    """A sheet whose DTD nests entities ten deep, ten wide: 10^10 "lol"s if expanded."""
    entities = [b'<!ENTITY l0 "lol">'] + [
        b'<!ENTITY l%d "%s">' % (n, b"".join(b"&l%d;" % (n - 1) for _ in range(10)))
        for n in range(1, 10)
    ]
    doctype = b"<!DOCTYPE worksheet [" + b"".join(entities) + b"]>"
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
    head = SHEET_HEAD.replace(b"?>\n", b"?>\n" + doctype, 1)
    return with_sheet(head + row + SHEET_TAIL)


def long_csv(rows: int = 200_000) -> bytes:
    return b"name\n" + b"".join(b"P%d\n" % n for n in range(rows))


@functools.cache
def long_workbook(rows: int = 200_000) -> bytes:
    """A real workbook of `rows` people, one name each (its sheet XML is 14 MB)."""
    cells = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>P%d</t></is></c></row>' % (n, n, n)
        for n in range(2, rows + 2)
    )
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    return with_sheet(SHEET_HEAD + header + cells + SHEET_TAIL)


# ── session files ─────────────────────────────────────────────────────────────────────


def laughing_session() -> str:
    """Nine aliases, each nine of the one before: 9^9 titles from 442 bytes."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "\n".join([*lines, "title: *a8"]) + "\n"


HOSTILE_SESSIONS = {
    "billion laughs": (laughing_session().encode(), "aliases"),
    "alias loop": (b"agenda: &loop [*loop]\n", "refers to a block that contains it"),
    "deep nesting": (b"agenda: " + b"[" * 5_000, "nests"),
    "too large": (b"# " + b"x" * (300 * 1024) + b"\ntitle: Big\n", "larger than 256 KB"),
    "not UTF-8": (JUNK[:4096], "not UTF-8"),
}
