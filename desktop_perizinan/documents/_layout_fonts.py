"""Fonts and the emblem: loaded once per process, their embedded forms cached across documents.

Every document embeds Liberation Sans as TrueType subsets. reportlab rebuilds and recompresses
each subset for every document (a fifth of a letter's render time), although with its
"ASCII readable" layout the first subset of a font is the same list of characters in almost
every document: all of ASCII, plus the few non-ASCII characters in the order the document
first uses them. :class:`CachedSubsetFace` keeps the finished (subset, compressed) font file
for each distinct list of characters, so a second document with the same characters copies
bytes instead of subsetting and deflating again. A name with a new diacritic is simply a new
key; the output PDF is byte-for-byte what reportlab would have written.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)

from desktop_perizinan import paths


def resources_dir() -> Path:
    """The top-level ``resources/`` folder (see :mod:`desktop_perizinan.paths`)."""
    return paths.resources_dir()


FONT = "LiberationSans"
FONT_BOLD = "LiberationSans-Bold"
FONT_ITALIC = "LiberationSans-Italic"
FONT_BOLD_ITALIC = "LiberationSans-BoldItalic"

#: Distinct subsets kept per font face. A day's documents use a handful; names with rare
#: diacritics add one each, so the oldest are dropped past this.
SUBSET_CACHE_SIZE = 64


class CachedSubsetFace(TTFontFace):
    """A TrueType face whose embedded subsets are built and compressed once per character list.

    Overrides reportlab's ``addSubsetObjects`` with the same PDF objects; only the font file
    stream is taken from the cache. Thread-safe: two workers may render at once.
    """

    _subset_cache: OrderedDict[tuple[int, ...], tuple[int, bytes]]
    _subset_lock: threading.Lock

    def _font_file(self, subset: list[int]) -> tuple[int, bytes]:
        """(uncompressed length, zlib-compressed font program) of ``subset``."""
        key = tuple(subset)
        with self._subset_lock:
            hit = self._subset_cache.get(key)
            if hit is not None:
                self._subset_cache.move_to_end(key)
                return hit
        raw = self.makeSubset(subset)
        entry = (len(raw), zlib.compress(raw))
        with self._subset_lock:
            self._subset_cache[key] = entry
            while len(self._subset_cache) > SUBSET_CACHE_SIZE:
                self._subset_cache.popitem(last=False)
        return entry

    def addSubsetObjects(self, doc: object, fontname: str, subset: list[int]) -> object:
        """reportlab's FontDescriptor and FontFile2 objects, the font file from the cache."""
        font_file = pdfdoc.PDFStream()
        if doc.compression:
            length, compressed = self._font_file(subset)
            font_file.content = compressed
            # "Filter" already set: PDFStream.format does not compress a second time
            font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            font_file.dictionary["Length1"] = length
        else:
            font_file.content = self.makeSubset(subset)
            font_file.dictionary["Length1"] = len(font_file.content)
        ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        flags = (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": ref,
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class _Preformatted(pdfdoc.PDFObject):
    """A PDF value already formatted: ``pdfdoc.format`` copies its bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: object) -> bytes:
        return self.data


class CachedTTFont(TTFont):
    """A ``TTFont`` that encodes plain ASCII text without its per-character loop and writes
    each subset's widths and ToUnicode map from a cache.

    With reportlab's "ASCII readable" subsets, printable ASCII is always code = character in
    subset 0, so ``splitString`` of such text (nine strings in ten of a document) is the
    text's own bytes; reportlab still walks it character by character. At save time the
    256-entry widths array of every subset was formatted number by number and its ToUnicode
    map compressed anew: most of the save time. Both are a pure function of the subset's
    character list, so they are kept per list, beside the font file the face caches.
    """

    _objects_cache: OrderedDict[tuple[object, ...], tuple[bytes, bytes]]
    _ascii_direct: bool
    #: The font's resource name in every document ("/LSB+0" for subset 0 of the bold face)
    #: instead of reportlab's "F<n>" in the order of first use: drawn text that only uses
    #: subset 0's ASCII codes is then the same bytes in any document (see ``DrawRecorder``).
    _pdf_name: str

    def splitString(self, text: object, doc: object, encoding: str = "utf-8") -> object:
        recorders = _recorders()
        if self._ascii_direct and isinstance(text, str) and text.isascii() and text.isprintable():
            if doc not in self.state:
                self._assignState(doc)
            for recorder in recorders:
                recorder.fonts.setdefault(self)
            return [(0, text.encode("ascii"))] if text else []
        chunks = super().splitString(text, doc, encoding)
        if recorders:
            # other characters have codes in the order the document first used them: a copy
            # is valid where they get the same codes (DrawRecorder.register checks)
            if not isinstance(text, str):
                for recorder in recorders:
                    recorder.portable = False
                return chunks
            assignments = self.state[doc].assignments
            for ch in dict.fromkeys(text):
                if not (ch.isascii() and ch.isprintable()):
                    code = assignments.get(ord(ch))
                    for recorder in recorders:
                        recorder.fonts.setdefault(self)
                        recorder.codes.setdefault((self, ch), code)
        return chunks

    def getSubsetInternalName(self, subset: int, doc: object) -> str:
        state = self._assignState(doc)
        if state.internalName is None:
            state.internalName = self._pdf_name
            doc.fontMapping[self.fontName] = "/" + self._pdf_name
            doc.delayedFonts.append(self)
        return super().getSubsetInternalName(subset, doc)

    def _subset_objects(self, n: int, subset: list[int], base_name: str) -> tuple[bytes, bytes]:
        """(formatted widths array, compressed ToUnicode map) of subset ``n``."""
        key = (n, tuple(subset), rl_config.pdfMultiLine)
        face = self.face
        with face._subset_lock:
            hit = self._objects_cache.get(key)
            if hit is not None:
                self._objects_cache.move_to_end(key)
                return hit
        widths = pdfdoc.PDFArray(list(map(face.getCharWidth, subset))).format(None)
        cmap = zlib.compress(makeToUnicodeCMap(base_name, subset).encode("latin-1"))
        entry = (widths, cmap)
        with face._subset_lock:
            self._objects_cache[key] = entry
            while len(self._objects_cache) > SUBSET_CACHE_SIZE:
                self._objects_cache.popitem(last=False)
        return entry

    def addObjects(self, doc: object) -> None:
        """reportlab's Font, ToUnicode and FontDescriptor objects per subset (same objects as
        ``TTFont.addObjects``), widths and map from the cache when the document compresses."""
        if not doc.compression:
            super().addObjects(doc)
            return
        state = self._assignState(doc)
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            widths, cmap = self._subset_objects(n, subset, base_name)
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Preformatted(widths)
            cmap_stream = pdfdoc.PDFStream()
            cmap_stream.content = cmap
            cmap_stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


#: A character outside printable ASCII and the code a document gave it in a font (None: the
#: font has no glyph for it, or it prints as a space).
CharCode = tuple[CachedTTFont, str, int | None]


class DrawRecorder:
    """Watches the text drawn while it is active (``with DrawRecorder() as r``): which of our
    fonts it used, and the code of every character outside printable ASCII (``codes``), so
    that the drawn operators can be checked valid in another document (``register``).
    ``portable`` is False when text came as bytes (not watched)."""

    def __init__(self) -> None:
        self.fonts: dict[CachedTTFont, None] = {}  # in the order of first use
        self.codes: dict[tuple[CachedTTFont, str], int | None] = {}  # likewise
        self.portable = True

    def __enter__(self) -> DrawRecorder:
        _recorders().append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _recorders().remove(self)

    @staticmethod
    def register(
        fonts: Iterable[CachedTTFont], doc: object, codes: Iterable[CharCode] = ()
    ) -> bool:
        """Make ``fonts`` resources of ``doc``, as drawing text in them would, and give the
        recorded characters their codes in ``doc`` (in the recorded order, as drawing would):
        True if each got the code it had when recorded, so the copy prints the same letters.
        Active recorders are told too, for a copied drawing inside a recorded one."""
        recorders = _recorders()
        for recorder in recorders:
            recorder.fonts.update(dict.fromkeys(fonts))
            for font, ch, code in codes:
                recorder.codes.setdefault((font, ch), code)
        done = doc.__dict__.setdefault("_perizinan_fonts", set())
        for font in fonts:
            if font not in done:
                font.getSubsetInternalName(0, doc)
                done.add(font)
        if not codes:
            return True
        by_font: dict[CachedTTFont, list[str]] = {}
        for font, ch, _ in codes:
            by_font.setdefault(font, []).append(ch)
        for font, chars in by_font.items():
            TTFont.splitString(font, "".join(chars), doc)
        return all(font.state[doc].assignments.get(ord(ch)) == code for font, ch, code in codes)


_recording = threading.local()


def _recorders() -> list[DrawRecorder]:
    """The active recorders of this thread (a document renders in one thread)."""
    active = getattr(_recording, "active", None)
    if active is None:
        active = _recording.active = []
    return active


def cached_ttfont(name: str, filename: str, pdf_name: str) -> TTFont:
    """A reportlab ``TTFont`` whose face caches its embedded subsets (see the module doc),
    written into every PDF under the resource name ``pdf_name``."""
    font = TTFont(name, filename)
    font.__class__ = CachedTTFont
    font._pdf_name = pdf_name
    font._objects_cache = OrderedDict()
    face = font.face
    face.__class__ = CachedSubsetFace
    face._subset_cache = OrderedDict()
    face._subset_lock = threading.Lock()
    # printable ASCII is code = character only if the font has every one of those glyphs
    font._ascii_direct = bool(font._asciiReadable) and all(
        code in face.charToGlyph for code in range(32, 127)
    )
    return font


_font_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register Liberation Sans (metric-compatible with Arial, the Tata Naskah Dinas face).

    A TrueType font, embedded as a subset, so that every name prints with its diacritics and
    apostrophes whatever fonts the PC has. Done once per process (about 15 ms).
    """
    global _fonts_ready
    if _fonts_ready:
        return
    with _font_lock:
        if _fonts_ready:
            return
        folder = resources_dir() / "fonts"
        for name, file, pdf_name in (
            (FONT, "LiberationSans-Regular.ttf", "LSR"),
            (FONT_BOLD, "LiberationSans-Bold.ttf", "LSB"),
            (FONT_ITALIC, "LiberationSans-Italic.ttf", "LSI"),
            (FONT_BOLD_ITALIC, "LiberationSans-BoldItalic.ttf", "LSBI"),
        ):
            pdfmetrics.registerFont(cached_ttfont(name, str(folder / file), pdf_name))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        # Binary streams instead of ASCII85: reportlab's pure-Python ASCII85 encoder was a
        # fifth of the render time, and the files come out a quarter smaller. Nothing else in
        # the application uses reportlab, so the process-wide setting is ours to choose.
        rl_config.useA85 = 0
        # A table cell without a FONTNAME style starts on Helvetica, which is never embedded;
        # BSrE's pre-flight wants every font embedded (issue 12), so cells start on ours.
        from reportlab.platypus.tables import CellStyle

        CellStyle.fontname = FONT
        _fonts_ready = True


# -------------------------------------------------------------------------------------- emblem

#: Emblem longest side in pixels: 22 mm printed at about 300 dpi.
EMBLEM_PIXELS = 260

_emblem_jpeg: dict[str, bytes] = {}
_emblem_readers = threading.local()


def _emblem_as_jpeg(data: bytes) -> bytes:
    """The emblem flattened on white, scaled down and saved as JPEG.

    reportlab embeds a JPEG as it is, whereas a PNG is decoded and deflated again for every
    document (a few milliseconds each time). The kop is printed on white paper, so flattening
    the transparency loses nothing.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.load()
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = im.convert("RGB")
    flat.thumbnail((EMBLEM_PIXELS, EMBLEM_PIXELS), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=92)
    return out.getvalue()


def emblem_reader(emblem: bytes | None) -> ImageReader:
    """The office emblem ready to draw, prepared once per emblem (cached by content).

    Readers are kept per thread: an ``ImageReader`` seeks in its buffer while drawing, and two
    documents may be rendered at once by two workers.
    """
    key = "default" if emblem is None else hashlib.sha1(emblem, usedforsecurity=False).hexdigest()
    readers: dict[str, ImageReader] | None = getattr(_emblem_readers, "cache", None)
    if readers is None:
        readers = _emblem_readers.cache = {}
    reader = readers.get(key)
    if reader is None:
        jpeg = _emblem_jpeg.get(key)
        if jpeg is None:
            data = emblem if emblem is not None else (resources_dir() / "emblem.png").read_bytes()
            jpeg = _emblem_as_jpeg(data)
            if len(_emblem_jpeg) > 8:  # an office has one emblem; a few are plenty
                _emblem_jpeg.clear()
            _emblem_jpeg[key] = jpeg
        if len(readers) > 8:
            readers.clear()
        reader = readers[key] = ImageReader(io.BytesIO(jpeg))
    return reader
