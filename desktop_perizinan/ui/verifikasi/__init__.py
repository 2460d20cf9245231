"""Verifikasi: is a document in someone's hands the one the office issued?

``VerificationScreen`` takes a scanned QR code (a barcode scanner types the payload and
Enter) or a PDF file, and shows the verdict against the book, offline.
"""

from desktop_perizinan.ui.verifikasi.screen import VerificationScreen

__all__ = ["VerificationScreen"]
