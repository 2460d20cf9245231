"""Drawn operators kept across documents: what repeats in every document is drawn once.

Private to the package. A clerk's documents repeat most of their wording: the kop, labels,
headings, legal bases, the closing sentence. reportlab lays each out and draws it anew for
every document, a table cell at a time. Drawing is only PDF operators appended to the page,
so once a block has been drawn its operators can be copied into the next document, provided
they mean the same there. They do when the text in them uses our fonts (under a fixed resource
name; see ``_layout_fonts.CachedTTFont``), no annotation (link) was made, and the only other
resources named are images, which :func:`replay` registers in the new document. Printable
ASCII is code = character in every document; any other character (a name's "é") has the code
the document gave it at first use, so a copy is made only where the new document gives it the
same code (checked, see ``DrawRecorder.register``). Anything else is drawn again.

The recorded state of the canvas that drawing reads (line width, colours, current font) is
part of every key, so a block drawn in another state is recorded anew rather than copied.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from desktop_perizinan.documents._layout_fonts import CachedTTFont, CharCode, DrawRecorder

#: Operators that name a page resource other than a font or an image (graphics states,
#: colour spaces, shadings, marked content): a drawing using them is not copied.
_RESOURCE_OPS = re.compile(r"\b(?:gs|cs|CS|scn|SCN|sh|BDC|BMC)\b")
#: A font selection ("/LSR+0 11 Tf"): the font's resource name, without its subset.
_FONT_OPS = re.compile(r"/([^\s/+]+)(?:\+\d+)? [-\d.]+ Tf\b")
#: An XObject drawn ("/FormXob.1a2b Do").
_XOBJECT_OPS = re.compile(r"/(\S+) Do\b")


@dataclass(frozen=True)
class Drawn:
    """Operators that mean the same in any document once ``fonts`` and ``images`` are there."""

    fonts: tuple[CachedTTFont, ...]
    codes: tuple[CharCode, ...]  # characters outside printable ASCII, as they were coded
    images: tuple[tuple[str, Any], ...]  # (form name, the PDF image object of the recording)
    ops: tuple[str, ...]
    pdf_version: tuple[int, int]  # the least the drawing asked of the document (1.4: alpha)


def canvas_state(canv: Canvas) -> tuple[Hashable, ...]:
    """What drawing reads from the canvas besides its own arguments: part of every key."""
    return (
        canv._lineWidth,
        canv._strokeColorObj,
        canv._fillColorObj,
        canv._fontname,
        canv._fontsize,
        canv._leading,
    )


def record(canv: Canvas, draw: Callable[[], None]) -> Drawn | None:
    """Run ``draw`` on ``canv`` and return its operators if they can be copied (else None)."""
    code = canv._code
    start = len(code)
    annotations = canv._annotationCount
    forms = len(canv._formsinuse)
    doc = canv._doc
    version = doc._pdfVersion
    doc._pdfVersion = pdfdoc.PDF_VERSION_DEFAULT  # to see what the drawing itself asks for
    try:
        with DrawRecorder() as recorder:
            draw()
    finally:
        asked = doc._pdfVersion
        doc._pdfVersion = max(version, asked)
    if not recorder.portable or canv._annotationCount != annotations:
        return None
    ops = tuple(code[start:])
    images = tuple(
        (name, doc.idToObject[doc.getXObjectName(name)])
        for name in dict.fromkeys(canv._formsinuse[forms:])
    )
    fonts = {font._pdf_name for font in recorder.fonts}
    xobjects = {doc.getXObjectName(name) for name, _ in images}
    for op in ops:
        if _RESOURCE_OPS.search(op):
            return None
        if any(name not in fonts for name in _FONT_OPS.findall(op)):
            return None
        if any(name not in xobjects for name in _XOBJECT_OPS.findall(op)):
            return None
    codes = tuple((font, ch, code) for (font, ch), code in recorder.codes.items())
    return Drawn(tuple(recorder.fonts), codes, images, ops, asked)


def replay(canv: Canvas, drawn: Drawn) -> bool:
    """Append ``drawn`` to ``canv``'s page, registering its fonts and images in the document;
    False (nothing appended) if its characters outside ASCII have other codes in this
    document: the caller draws instead."""
    doc = canv._doc
    if not DrawRecorder.register(drawn.fonts, doc, drawn.codes):
        return False
    for name, image in drawn.images:
        reg_name = doc.getXObjectName(name)
        if reg_name not in doc.idToObject:
            # what canvas.drawImage does for a new image; a copy, since an object is named
            # in the document that registers it
            own = copy.copy(image)
            own.__dict__.pop("__InternalName__", None)
            canv._setXObjects(own)
            doc.Reference(own, reg_name)
            doc.addForm(name, own)
        canv._formsinuse.append(name)
        canv._currentPageHasImages = 1
    canv._code.extend(drawn.ops)
    doc._pdfVersion = max(doc._pdfVersion, drawn.pdf_version)
    return True


# ---------------------------------------------------------------------------- frozen blocks


@dataclass(frozen=True)
class _Layout:
    width: float
    height: float


@dataclass(frozen=True)
class _Spacing:
    before: float
    after: float
    h_align: str


#: A block's drawing seen once at this width and state (recorded when it is seen again).
_SEEN = 0

#: Per block key: spacing, layouts per available width, drawings per (width, canvas state).
#: Bounded, oldest dropped (an office has a handful of kops and a few dozen permit types).
_frozen: OrderedDict[Hashable, dict[Hashable, Any]] = OrderedDict()
_frozen_lock = threading.Lock()
FROZEN_CACHE_SIZE = 512


def _entry(key: Hashable) -> dict[Hashable, Any]:
    with _frozen_lock:
        entry = _frozen.get(key)
        if entry is None:
            entry = _frozen[key] = {}
            while len(_frozen) > FROZEN_CACHE_SIZE:
                _frozen.popitem(last=False)
        else:
            _frozen.move_to_end(key)
    return entry


class Frozen(Flowable):
    """A block laid out and drawn once per key, copied into later documents (module doc).

    ``key`` must name everything the block's look depends on (its texts, sizes, widths,
    emblem); ``make`` builds the real flowable, only when it is needed: on the first
    document, when the block has to split over a page, or when its drawing cannot be copied.
    """

    def __init__(self, key: Hashable, make: Callable[[], Flowable]) -> None:
        super().__init__()
        self._cache = _entry(key)
        self._make = make
        self._inner: Flowable | None = None
        self._avail = (0.0, 0.0)
        # where the real block was last laid out (None: not, or split since)
        self._inner_avail: tuple[float, float] | None = None
        spacing = self._cache.get("spacing")
        if spacing is None:
            inner = self._real()
            spacing = self._cache["spacing"] = _Spacing(
                inner.getSpaceBefore(), inner.getSpaceAfter(), getattr(inner, "hAlign", "LEFT")
            )
        self._spacing = spacing
        self.hAlign = spacing.h_align

    def _real(self) -> Flowable:
        if self._inner is None:
            self._inner = self._make()
        return self._inner

    def getSpaceBefore(self) -> float:
        return self._spacing.before

    def getSpaceAfter(self) -> float:
        return self._spacing.after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._avail = (availWidth, availHeight)
        layout = self._cache.get(("layout", availWidth))
        if layout is None:
            w, h = self._real().wrap(availWidth, availHeight)
            self._inner_avail = (availWidth, availHeight)
            layout = self._cache[("layout", availWidth)] = _Layout(w, h)
        self.width, self.height = layout.width, layout.height
        return layout.width, layout.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._inner_avail = None
        return self._real().split(availWidth, availHeight)

    def minWidth(self) -> float:
        return self._real().minWidth()

    def draw(self) -> None:
        canv = self.canv
        key = ("drawn", self._avail[0], canvas_state(canv))
        drawn = self._cache.get(key)
        if drawn and replay(canv, drawn):
            return
        inner = self._real()
        laid_out = self._inner_avail
        if not (laid_out and laid_out[0] == self._avail[0] and laid_out[1] >= self.height):
            # laid out again unless it was at this width with room for all of it (a table
            # then has every row measured): a block drawn fresh is not measured three times
            inner.wrapOn(canv, *self._avail)

        def draw_inner() -> None:
            inner._drawOn(canv)  # this block's drawOn has placed the origin already

        if drawn is _SEEN:
            self._cache[key] = record(canv, draw_inner) or False
        else:
            if drawn is None:
                # recorded the second time, as paragraphs are: a block with a name in its key
                # that is printed once (a team with a new member) costs no recording
                self._cache[key] = _SEEN
            draw_inner()


def frozen(key: Hashable, make: Callable[[], Flowable]) -> Frozen:
    """``make()``'s block, laid out and drawn once per ``key`` (see :class:`Frozen`)."""
    return Frozen(key, make)


class Stack(Flowable):
    """Flowables one under the other, as a left-aligned table cell stacks a list of them:
    a list made one flowable, so that it can be frozen as one block inside a cell."""

    def __init__(self, items: Sequence[Flowable]) -> None:
        super().__init__()
        self.items = list(items)
        self._sizes: list[tuple[float, float]] = []

    def getSpaceBefore(self) -> float:
        return self.items[0].getSpaceBefore() if self.items else 0

    def getSpaceAfter(self) -> float:
        return self.items[-1].getSpaceAfter() if self.items else 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        canv = getattr(self, "canv", None)
        self._sizes = [item.wrapOn(canv, availWidth, availHeight) for item in self.items]
        height = sum(h for _, h in self._sizes)
        for i, item in enumerate(self.items):
            if i:
                height += item.getSpaceBefore()
            if i < len(self.items) - 1:
                height += item.getSpaceAfter()
        self.width = max((w for w, _ in self._sizes), default=0)
        self.height = height
        return self.width, height

    def draw(self) -> None:
        y = self.height
        for i, (item, (_, h)) in enumerate(zip(self.items, self._sizes, strict=True)):
            if i:
                y -= item.getSpaceBefore()
            y -= h
            item.drawOn(self.canv, 0, y)
            y -= item.getSpaceAfter()
