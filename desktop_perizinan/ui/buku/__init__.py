"""Buku: the agenda books and the expedition book on screen, in Excel, and old ledgers in."""

from desktop_perizinan.ui.buku.screen import BooksScreen

__all__ = ["BooksScreen"]
