"""The verification payload inside a PDF file, and reading a PDF back: written into the
document information as an incremental update, found again in the metadata, by a raw search
(a damaged file), or in the QR code on the pages (``pdftoppm`` + ``zbarimg``); the text of two
files compared line by line. Bytes in, bytes or text out: apart from the book look-ups of
:mod:`services.verification`, which uses these."""

from __future__ import annotations

import difflib
import io
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from desktop_perizinan.services.qr_codes import QR_PREFIX

log = logging.getLogger(__name__)

#: The PDF document-information key holding the QR payload.
METADATA_KEY = "/PerizinanVerifikasi"
#: At most this many changed lines are listed (a wholly different file would list them all).
MAX_DIFF_LINES = 40
#: Resolutions tried for the QR fallback: 100 dpi decodes our QR codes; 150 for a rescan.
QR_DPI = (100, 150)


def _pdf_literal(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1", "replace") + b")"


def embed_payload(pdf: bytes, payload: str) -> bytes:
    """Return ``pdf`` with the payload in its document information, as an incremental update.

    Written by hand as a classic cross-reference section (the renderer's PDF 1.4 files have
    one; pypdf would append a PDF 1.5 cross-reference stream). The Info object keeps its
    number and every entry it had. About 2 ms.
    """
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    info_ref = trailer.raw_get("/Info") if "/Info" in trailer else None
    size = int(trailer["/Size"])
    body = io.BytesIO()
    if isinstance(info_ref, IndirectObject):
        number, generation = info_ref.idnum, info_ref.generation
        old = info_ref.get_object()
        if isinstance(old, DictionaryObject):
            for key, value in old.items():
                if key != METADATA_KEY:
                    key.write_to_stream(body)
                    body.write(b" ")
                    value.write_to_stream(body)
                    body.write(b"\n")
    else:
        number, generation = size, 0
        size += 1
    body.write(METADATA_KEY.encode() + b" " + _pdf_literal(payload) + b"\n")
    head = b"" if pdf.endswith(b"\n") else b"\n"
    start = len(pdf) + len(head)
    obj = f"{number} {generation} obj\n<<\n".encode() + body.getvalue() + b">>\nendobj\n"
    root = trailer.raw_get("/Root")
    assert isinstance(root, IndirectObject)
    tail = io.BytesIO()
    tail.write(f"/Size {size} /Root {root.idnum} {root.generation} R ".encode())
    tail.write(f"/Info {number} {generation} R /Prev {_startxref(pdf)}".encode())
    if "/ID" in trailer:
        tail.write(b" /ID ")
        trailer["/ID"].write_to_stream(tail)
    update = (
        obj
        + b"xref\n0 1\n0000000000 65535 f \n"
        + f"{number} 1\n{start:010d} {generation:05d} n \n".encode()
        + b"trailer\n<< "
        + tail.getvalue()
        + b" >>\nstartxref\n"
        + str(start + len(obj)).encode()
        + b"\n%%EOF\n"
    )
    return pdf + head + update


_TRAILER = re.compile(
    rb"\nxref\n0 (\d+)\n((?:\d{10} \d{5} [nf] \n)+)trailer\n(<<.*?>>)\nstartxref\n(\d+)\n%%EOF\n?$",
    re.DOTALL,
)
_INFO_REF = re.compile(rb"/Info (\d+) 0 R")


def payload_in_info(pdf: bytes, payload: str) -> bytes:
    """``pdf`` with the payload written into its document information, in the one revision.

    For the files our renderer writes (reportlab: one classic cross-reference table, the
    Info dictionary an object of its own): the entry goes into that dictionary and the
    offsets behind it move, as if reportlab had written it while rendering. No pypdf, no
    incremental update (issue 14: reading the resi back cost several ms; BSrE's pre-flight
    then sends the file as it is). Any other file gets :func:`embed_payload`'s update.
    """
    spliced = _splice_info(pdf, payload)
    return spliced if spliced is not None else embed_payload(pdf, payload)


def _splice_info(pdf: bytes, payload: str) -> bytes | None:
    """The splice of :func:`payload_in_info`, or None when the file is not shaped for it."""
    if pdf.count(b"%%EOF") != 1 or METADATA_KEY.encode() in pdf:
        return None
    tail_at = pdf.rfind(b"\nxref\n")
    match = _TRAILER.match(pdf, tail_at) if tail_at > 0 else None
    if match is None or int(match.group(4)) != tail_at + 1:
        return None
    count = int(match.group(1))
    lines = match.group(2).splitlines()
    info = _INFO_REF.search(match.group(3))
    if len(lines) != count or info is None or not 0 < int(info.group(1)) < count:
        return None
    number = int(info.group(1))
    offsets = [int(line[:10]) for line in lines]
    start = offsets[number]
    head = f"{number} 0 obj\n<<".encode()
    end = pdf.find(b"\n>>\nendobj\n", start, tail_at + 1)
    if not pdf.startswith(head, start) or end < 0:
        return None
    entry = b" " + METADATA_KEY.encode() + b" " + _pdf_literal(payload)
    shift = len(entry)
    table = bytearray(b"xref\n0 %d\n" % count)
    for line, offset in zip(lines, offsets, strict=True):  # 20 bytes each, as written
        moved = offset + shift if offset > start and line[17:18] == b"n" else offset
        table += b"%010d" % moved + line[10:] + b"\n"
    return (
        pdf[:end]
        + entry
        + pdf[end : tail_at + 1]
        + bytes(table)
        + b"trailer\n"
        + match.group(3)
        + b"\nstartxref\n%d\n%%%%EOF\n" % (tail_at + 1 + shift)
    )


def _startxref(pdf: bytes) -> int:
    match = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf[-1024:])
    if match is None:
        raise ValueError("no startxref")
    return int(match.group(1))


_RAW_PAYLOAD = re.compile(re.escape(METADATA_KEY.encode()) + rb"\s*\(((?:[^()\\]|\\.)*)\)")


def _unescape_literal(raw: bytes) -> str:
    """A PDF literal string's bytes without the escapes (octal, \\n, \\( ...)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C and i + 1 < len(raw):  # backslash
            nxt = raw[i + 1]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            out.append({0x6E: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return out.decode("latin-1")


def payload_from_metadata(data: bytes) -> str | None:
    """The payload in the document information; the last one written wins.

    pypdf first (it reads any valid file); then a raw search of the bytes, which still finds
    the payload when a changed byte has made the file unreadable, so that the verdict can
    name the document and say that the file was changed.
    """
    try:
        from pypdf import PdfReader

        metadata = PdfReader(io.BytesIO(data)).metadata
        value = metadata.get(METADATA_KEY) if metadata else None
        if value:
            return str(value)
    except Exception:  # a damaged file: pypdf raises many kinds
        log.debug("metadata unreadable with pypdf", exc_info=True)
    found = _RAW_PAYLOAD.findall(data)
    return _unescape_literal(found[-1]) if found else None


def qr_tools_available() -> bool:
    return bool(shutil.which("pdftoppm") and shutil.which("zbarimg"))


def payload_from_qr(data: bytes, *, dpi: tuple[int, ...] = QR_DPI) -> str | None:
    """Decode our QR code from the rendered pages (poppler's pdftoppm + zbar's zbarimg).

    The fallback for a file without the metadata (a scan saved as PDF, a document type that
    is not numbered in the flow). Returns None when the tools are missing or no QR of ours is
    found. Runs offline, in a temporary folder that is removed afterwards.
    """
    if not qr_tools_available():
        return None
    with tempfile.TemporaryDirectory(prefix="perizinan-qr-") as folder:
        source = Path(folder) / "berkas.pdf"
        source.write_bytes(data)
        for resolution in dpi:
            prefix = Path(folder) / f"hal{resolution}"
            try:
                subprocess.run(
                    ["pdftoppm", "-r", str(resolution), "-gray", "-png", str(source), str(prefix)],
                    capture_output=True,
                    check=False,
                    timeout=60,
                )
                pages = sorted(Path(folder).glob(f"hal{resolution}*.png"))
                if not pages:
                    return None
                result = subprocess.run(
                    ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", *map(str, pages)],
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=60,
                )
            except (OSError, subprocess.SubprocessError):
                log.info("QR decoding failed", exc_info=True)
                return None
            for line in result.stdout.splitlines():
                if line.strip().startswith(QR_PREFIX + "|"):
                    return line.strip()
    return None


def find_payload(data: bytes) -> tuple[str | None, str]:
    """(payload, where it was found): the metadata, else the QR code."""
    payload = payload_from_metadata(data)
    if payload:
        return payload, "metadata"
    payload = payload_from_qr(data)
    if payload:
        return payload, "qr"
    return None, ""


def pdf_text_lines(data: bytes) -> list[str]:
    """The text of a PDF as non-empty, whitespace-normalised lines (empty if unreadable)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        lines: list[str] = []
        for page in reader.pages:
            for line in (page.extract_text() or "").splitlines():
                text = " ".join(line.split())
                if text:
                    lines.append(text)
        return lines
    except Exception:
        log.debug("text unreadable", exc_info=True)
        return []


def text_differences(stored: bytes, given: bytes, limit: int = MAX_DIFF_LINES) -> list[str]:
    """Changed lines between the stored final and the given file ("-" stored, "+" given)."""
    old, new = pdf_text_lines(stored), pdf_text_lines(given)
    changes = [
        f"{line[0]} {line[1:]}"
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in ("+", "-") and not line.startswith(("+++", "---"))
    ]
    if len(changes) > limit:
        changes = [*changes[:limit], f"… dan {len(changes) - limit} baris lain"]
    return changes
