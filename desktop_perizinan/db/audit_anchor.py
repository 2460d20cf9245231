"""Anchors: the audit head (last id + hash) copied outside the database.

A key kept beside the database on the same PC does not stop the person who can read that PC's
configuration; copies of the head kept elsewhere do. Each anchor is one line,
``JANGKAR-AUDIT v1 entri=123 hash=<64 hex> waktu=2026-12-06T16:00:00``, written

* into every backup's manifest (``audit_head`` in the JSON beside the backup),
* into each day's closing (``penutupan harian``: a file per day and a printed line),
* into the footer of the XLSX books.

``perizinan audit verify --anchor FILE_OR_FOLDER`` reads them back; an entry that no longer has
the anchored hash means a rewritten log, an anchor beyond the end of the log a truncated one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AuditHead

GENESIS = "0" * 64
PREFIX = "JANGKAR-AUDIT v1"
_LINE = re.compile(
    r"JANGKAR-AUDIT v1 entri=(?P<id>\d+) hash=(?P<hash>[0-9a-f]{64})(?: waktu=(?P<at>\S+))?"
)
#: Files read when a folder is given: backup manifests, closings, books.
_SUFFIXES = (".json", ".txt", ".xlsx")
#: A book or a manifest is small; anything bigger is not an anchor file.
_MAX_TEXT = 5_000_000


@dataclass(frozen=True)
class Anchor:
    last_id: int
    last_hash: str
    at: str = ""  # ISO time the anchor was taken ("" if unknown)
    source: str = ""  # where it was read: a file name

    def line(self) -> str:
        stamp = f" waktu={self.at}" if self.at else ""
        return f"{PREFIX} entri={self.last_id} hash={self.last_hash}{stamp}"

    @property
    def when_text(self) -> str:
        try:
            return datetime.fromisoformat(self.at).strftime("%d-%m-%Y %H:%M")
        except ValueError:
            return self.at or "tanpa tanggal"

    def to_json(self) -> dict[str, Any]:
        return {"last_id": self.last_id, "last_hash": self.last_hash, "at": self.at}


def database_key(url: str) -> str:
    """A short name for one database (its description without password, hashed): the folder
    of its daily closings, so a PC that opened several databases never mixes their anchors."""
    import hashlib

    from desktop_perizinan.db.errors import describe_url

    return hashlib.sha256(describe_url(url).encode()).hexdigest()[:12]


def backup_anchors(folder: Path, source: str) -> list[Anchor]:
    """The anchors in the manifests of ``folder`` that were taken of the database ``source``
    (``describe_url``); backups of other databases in the same folder are ignored."""
    found: list[Anchor] = []
    if not folder.is_dir():
        return found
    for child in sorted(folder.glob("*.json")):
        try:
            data = json.loads(child.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("source") == source:
            found.extend(_from_json(data, child.name))
    return found


def current_anchor(session: Session, now: datetime | None = None) -> Anchor:
    """The head as it stands, to copy out. An empty log gives entry 0."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1)).first()
    stamp = (now or datetime.now()).replace(microsecond=0).isoformat()
    if head is None:
        return Anchor(0, GENESIS, stamp)
    return Anchor(head.last_id, head.last_hash, stamp)


def parse_text(text: str, source: str) -> list[Anchor]:
    return [
        Anchor(int(m.group("id")), m.group("hash"), m.group("at") or "", source)
        for m in _LINE.finditer(text)
    ]


def _from_json(data: Any, source: str) -> list[Anchor]:
    head = data.get("audit_head") if isinstance(data, dict) else None
    if not isinstance(head, dict):
        return []
    try:
        last_id, last_hash = int(head["last_id"]), str(head["last_hash"])
    except (KeyError, TypeError, ValueError):
        return []
    if not re.fullmatch(r"[0-9a-f]{64}", last_hash):
        return []
    return [Anchor(last_id, last_hash, str(head.get("at", "")), source)]


def _from_xlsx(path: Path) -> list[Anchor]:
    """Anchors in a workbook's page footers (and cells): the worksheets' XML is streamed
    through, never loaded whole (a book may hold a year of rows)."""
    import zipfile

    seen: dict[tuple[int, str, str], Anchor] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            tail = ""
            with archive.open(name) as stream:
                while True:
                    chunk = stream.read(1 << 20)
                    text = tail + chunk.decode("utf-8", errors="replace")
                    for match in _LINE.finditer(text):
                        if chunk and match.end() == len(text):
                            continue  # may be cut by the chunk boundary: whole next time
                        anchor = Anchor(
                            int(match.group("id")),
                            match.group("hash"),
                            match.group("at") or "",
                            path.name,
                        )
                        seen[(anchor.last_id, anchor.last_hash, anchor.at)] = anchor
                    if not chunk:
                        break
                    tail = text[-300:]  # longer than an anchor line
    return list(seen.values())


def read_file(path: Path) -> list[Anchor]:
    """The anchors in one file (a manifest, a closing, a book); [] when it holds none."""
    if path.suffix.lower() == ".xlsx":
        try:
            return _from_xlsx(path)
        except Exception:  # not a workbook after all: no anchors in it
            return []
    try:
        if path.stat().st_size > _MAX_TEXT:
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    if path.suffix.lower() == ".json":
        try:
            return _from_json(json.loads(text), path.name)
        except ValueError:
            return []
    return parse_text(text, path.name)


def read_anchors(path: Path) -> list[Anchor]:
    """Anchors in a file, or in every manifest/closing/book directly inside a folder."""
    path = Path(path)
    if path.is_dir():
        found: list[Anchor] = []
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix.lower() in _SUFFIXES:
                found.extend(read_file(child))
        return found
    return read_file(path)
