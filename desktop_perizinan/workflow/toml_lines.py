"""Line numbers for a TOML document, which ``tomllib`` does not give.

A clerk who broke a form file must be told *where*: "baris 42", not "somewhere in steps[7]".
``tomllib`` returns plain dicts and lists, so this module scans the raw text once and records
the line on which every table header, key and array element begins, addressed by the same path
the loader uses to walk the parsed data: ``("steps", 3, "outcomes", "setuju")``.

It only runs on text that ``tomllib`` already accepted, so it can be lenient: it never raises on
odd input, it just records less. :meth:`LineIndex.line_of` falls back to the nearest recorded
ancestor, so a problem always gets the most precise line known.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Sequence

#: A path into the parsed document: table keys and array indexes.
PathPart = str | int
Path = tuple[PathPart, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class LineIndex:
    """Where each table, key and array element of one TOML text starts (1-based lines)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] = []
        self._lines: dict[Path, int] = {}
        # Arrays of tables seen so far -> number of elements, keyed by their resolved path.
        self._table_arrays: dict[Path, int] = {}
        self._pos = 0
        self._scanned = False

    def _scan(self) -> None:
        """Scan the text on the first question, not when the file is read: a form without
        problems is never asked, and every start-up reads every form (issue 14)."""
        if self._scanned:
            return
        self._scanned = True
        self._newlines = [i for i, ch in enumerate(self._text) if ch == "\n"]
        # Errors are only possible on text tomllib rejects; keep whatever was recorded.
        with contextlib.suppress(IndexError, ValueError):
            self._document()

    # ------------------------------------------------------------------ queries

    def line_of(self, path: Sequence[PathPart]) -> int:
        """The line of ``path``, or of its nearest recorded ancestor; 0 when nothing is known."""
        self._scan()
        key = tuple(path)
        while key:
            line = self._lines.get(key)
            if line is not None:
                return line
            key = key[:-1]
        return 0

    def exact_line(self, path: Sequence[PathPart]) -> int | None:
        """The line of exactly ``path``, or ``None`` when it was not seen."""
        self._scan()
        return self._lines.get(tuple(path))

    def next_line_after(self, line: int) -> int | None:
        """The first line after ``line`` on which something else was recorded."""
        self._scan()
        later = [n for n in self._lines.values() if n > line]
        return min(later) if later else None

    @property
    def line_count(self) -> int:
        self._scan()
        return len(self._newlines) + 1

    # ------------------------------------------------------------------ scanning

    def _line_at(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def _record(self, path: Path, pos: int) -> None:
        self._lines.setdefault(path, self._line_at(pos))

    def _peek(self, offset: int = 0) -> str:
        index = self._pos + offset
        return self._text[index] if index < len(self._text) else ""

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces and tabs; with ``newlines`` also line breaks and comments."""
        text = self._text
        while self._pos < len(text):
            ch = text[self._pos]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self._pos += 1
            elif newlines and ch == "#":
                self._skip_to_line_end()
            else:
                return

    def _skip_to_line_end(self) -> None:
        end = self._text.find("\n", self._pos)
        self._pos = len(self._text) if end < 0 else end

    def _document(self) -> None:
        table: Path = ()
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(self._text):
                return
            start = self._pos
            if self._peek() == "[":
                table = self._header(start)
            else:
                self._key_value(table)
            self._skip_blank(newlines=False)
            if self._peek() == "#":
                self._skip_to_line_end()

    def _header(self, start: int) -> Path:
        is_array = self._peek(1) == "["
        self._pos += 2 if is_array else 1
        self._skip_blank(newlines=False)
        parts = self._key()
        self._skip_blank(newlines=False)
        self._pos += 2 if is_array else 1
        path: Path = ()
        for index, part in enumerate(parts):
            path = (*path, part)
            last = index == len(parts) - 1
            if last and is_array:
                count = self._table_arrays.get(path, 0)
                self._table_arrays[path] = count + 1
                self._record(path, start)
                path = (*path, count)
            elif path in self._table_arrays:
                path = (*path, self._table_arrays[path] - 1)
        self._record(path, start)
        return path

    def _key_value(self, table: Path) -> None:
        start = self._pos
        parts = self._key()
        path = table
        for part in parts:
            path = (*path, part)
            self._record(path, start)
        self._skip_blank(newlines=False)
        if self._peek() == "=":
            self._pos += 1
        self._skip_blank(newlines=False)
        self._value(path)

    def _key(self) -> list[str]:
        """A dotted key: bare or quoted parts separated by dots."""
        parts: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            ch = self._peek()
            if ch in ('"', "'"):
                parts.append(self._string())
            else:
                match = _BARE_KEY.match(self._text, self._pos)
                if not match:
                    raise ValueError("bad key")
                parts.append(match.group(0))
                self._pos = match.end()
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return parts
            self._pos += 1

    def _value(self, path: Path) -> None:
        ch = self._peek()
        if ch in ('"', "'"):
            self._string()
        elif ch == "{":
            self._inline_table(path)
        elif ch == "[":
            self._array(path)
        else:
            text = self._text
            while self._pos < len(text) and text[self._pos] not in ",]}\r\n#":
                self._pos += 1

    def _inline_table(self, path: Path) -> None:
        self._pos += 1
        while True:
            self._skip_blank(newlines=True)
            if self._peek() in ("}", ""):
                self._pos += 1
                return
            if self._peek() == ",":
                self._pos += 1
                continue
            start = self._pos
            inner = path
            for part in self._key():
                inner = (*inner, part)
                self._record(inner, start)
            self._skip_blank(newlines=False)
            if self._peek() == "=":
                self._pos += 1
            self._skip_blank(newlines=False)
            self._value(inner)

    def _array(self, path: Path) -> None:
        self._pos += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self._peek() in ("]", ""):
                self._pos += 1
                return
            if self._peek() == ",":
                self._pos += 1
                continue
            element = (*path, index)
            self._record(element, self._pos)
            self._value(element)
            index += 1

    def _string(self) -> str:
        """Read a basic, literal or multi-line string; return its value (escapes simplified)."""
        text = self._text
        quote = text[self._pos]
        triple = text.startswith(quote * 3, self._pos)
        delimiter = quote * 3 if triple else quote
        self._pos += len(delimiter)
        out: list[str] = []
        while self._pos < len(text):
            if text.startswith(delimiter, self._pos):
                self._pos += len(delimiter)
                if triple:
                    # Up to two extra quotes right before the closing delimiter are content.
                    extra = 0
                    while extra < 2 and self._peek() == quote:
                        self._pos += 1
                        extra += 1
                return "".join(out)
            ch = text[self._pos]
            if ch == "\\" and quote == '"':
                nxt = self._peek(1)
                out.append(_ESCAPES.get(nxt, nxt))
                self._pos += 2
                continue
            out.append(ch)
            self._pos += 1
        return "".join(out)
