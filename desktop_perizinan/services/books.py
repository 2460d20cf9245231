"""The books an office keeps: the agenda (numbering) books and the expedition book."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select

from desktop_perizinan.db.models import NumberBook
from desktop_perizinan.services.book_rows import AgendaRow, BookInfo, ExpeditionRow

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.book_export import BookExportService

__all__ = ["AgendaRow", "BookInfo", "BookService", "ExpeditionRow"]


class BookService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def books(self) -> list[BookInfo]:
        with self._s.db.reading() as session:
            return [
                BookInfo(b.code, b.title, b.pattern, b.yearly)
                for b in session.scalars(select(NumberBook).order_by(NumberBook.id))
            ]

    # The lines themselves are read by one streaming implementation (book_export), shared by
    # the screens, the exports and the demo, so that every reader shows the same book.

    def _stream(self) -> BookExportService:
        from desktop_perizinan.services.book_export import BookExportService

        return BookExportService(self._s)

    def agenda(self, book_code: str, year: int | None) -> list[AgendaRow]:
        """A book's lines for a year (or all lines of a book not counted per year)."""
        return self._stream().agenda(book_code, year)

    def expedition(self, year: int | None) -> list[ExpeditionRow]:
        return self._stream().expedition(year)

    def export_agenda(
        self,
        book_code: str,
        year: int | None,
        dest: Path | BinaryIO,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        return self._stream().export_agenda(
            book_code, year, dest, progress=progress, cancelled=cancelled
        )

    def export_expedition(
        self,
        year: int | None,
        dest: Path | BinaryIO,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        return self._stream().export_expedition(year, dest, progress=progress, cancelled=cancelled)
