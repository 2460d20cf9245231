"""Documents: pure "data in, bytes out".

``contexts`` holds the plain data (cheap to import); ``pdf`` renders it with reportlab and
``xlsx_books`` writes and reads the agenda books with openpyxl. This ``__init__`` imports
neither library, so that building a context never pays for loading them.
"""
