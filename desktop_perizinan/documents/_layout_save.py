"""Writing a finished document's PDF objects: reportlab's own code, with faster helpers.

Private to the package (``_layout_build._Canvas.save`` uses it). When a document is saved,
reportlab formats its fifteen or so objects (catalog, page, fonts, descriptors, image,
streams, info) through ``pdfdoc.format``: a generic function that asks every value its type
by ``isinstance``/``hasattr``, rebuilds every key's ``/Name`` character by character and
encodes every small string through reportlab's Python codec. That is a fifth of a letter's
render time, the same work for the same keys in every document.

Nothing here writes PDF of its own. Each ``format`` method of ``reportlab.pdfbase.pdfdoc``
runs as it is, as a copy of the function bound to a copy of the module's globals in which
``format``, ``PDFName`` and ``pdfdocEnc`` are faster equivalents (:func:`fast_format`, a
cache of names, plain ASCII encoding where the codec maps ASCII to itself), and in which
the dictionary, array, stream and cross-reference classes those methods build are subclasses
formatted the same way. Dictionaries, arrays and references, most of the calls, have short
equivalents of reportlab's code here. The bytes are reportlab's, byte for byte
(``tests/documents/test_fast_save.py`` compares every sample document, in invariant mode,
with the same document saved by plain reportlab). Only our documents are saved this way
(their canvas asks for it); reportlab itself, and anything else in the process using it, is
left as it is.
"""

from __future__ import annotations

import re
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc

_PDFObject = pdfdoc.PDFObject
_fp_str = pdfdoc.fp_str
_REF_ONLY = "__RefOnly__"
_COMMENT = "__Comment__"

#: Characters that reportlab's "extpdfdoc" codec does not map to their own byte (checked in
#: the tests); a string without them and with nothing outside ASCII encodes as ASCII.
_NOT_IDENTITY = re.compile("[\x18-\x1f]")


def fast_enc(x: Any) -> Any:
    """``pdfdoc.pdfdocEnc``: a str in reportlab's PDFDoc encoding, anything else as it is."""
    if isinstance(x, str):
        if x.isascii() and not _NOT_IDENTITY.search(x):
            return x.encode("ascii")
        return x.encode("extpdfdoc")
    return x


_names: dict[str, str] = {}
_name_bytes: dict[str, bytes] = {}


def fast_name(data: Any, lo: str = chr(0x21), hi: str = chr(0x7E)) -> str:
    """``pdfdoc.PDFName``, remembered per name (a document uses the same few dozen)."""
    if type(data) is str and lo == "!" and hi == "~":
        name = _names.get(data)
        if name is None:
            name = pdfdoc.PDFName(data)
            if len(_names) < 4096:
                _names[data] = name
        return name
    return pdfdoc.PDFName(data, lo, hi)


def _key(k: Any) -> bytes:
    """A dictionary key formatted as ``format(PDFName(k))`` formats it."""
    if type(k) is str:
        data = _name_bytes.get(k)
        if data is None:
            data = fast_enc(pdfdoc.PDFName(k))
            if len(_name_bytes) < 4096:
                _name_bytes[k] = data
        return data
    return fast_format(fast_name(k), None)


def fast_format(element: Any, document: Any, toplevel: int = 0) -> Any:
    """``pdfdoc.format`` with each object formatted by its fast method (module doc)."""
    t = type(element)
    if t is str:
        return fast_enc(element)
    if t is bytes:
        return element
    if t is int or t is float:
        return fast_enc(_fp_str(element))
    if isinstance(element, _PDFObject):
        if not toplevel and hasattr(element, _REF_ONLY):
            ref = document.Reference(element)
            return _method(type(ref))(ref, document)
        f = _method(t)(element, document)
        if not rl_config.invariant and rl_config.pdfComments and hasattr(element, _COMMENT):
            f = fast_enc(f"% {element.__Comment__}\n") + f
        return f
    if isinstance(element, bytes):
        return element
    if isinstance(element, str):
        return fast_enc(element)
    return fast_enc(str(element))


def _dict_format(self: pdfdoc.PDFDictionary, document: Any, IND: bytes = b"\n ") -> bytes:
    """``PDFDictionary.format``."""
    d = self.dict
    keys = list(d.keys())
    if not isinstance(d, OrderedDict):
        keys.sort()
    parts = [_key(k) + b" " + fast_format(d[k], document) for k in keys]
    if (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced":
        body = IND.join(parts)
    else:
        for i in reversed(range(6, len(parts), 6)):
            parts.insert(i, b"\n ")
        body = b" ".join(parts)
    return b"<<\n" + body + b"\n>>"


def _array_format(self: pdfdoc.PDFArray, document: Any, IND: bytes = b"\n ") -> bytes:
    """``PDFArray.format``."""
    parts = [fast_format(e, document) for e in self.sequence]
    if (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced":
        body = IND.join(parts)
    else:
        n = len(parts)
        if n > 10:
            for i in reversed(range(10, n, 10)):
                parts.insert(i, b"\n ")
        body = b" ".join(parts)
    return b"[ " + body + b" ]"


def _ref_format(self: pdfdoc.PDFObjectReference, document: Any) -> bytes:
    """``PDFObjectReference.format``."""
    try:
        n, v = document.idToObjectNumberAndVersion[self.name]
    except KeyError:
        raise KeyError(
            f"forward reference to {self.name!r} not resolved upon final formatting"
        ) from None
    return (
        f"{n} {v} R".encode("ascii")
        if type(n) is int and type(v) is int
        else fast_enc(f"{n} {v} R")
    )


#: reportlab's methods replaced by the short equivalents above.
_SHORT: dict[Callable[..., Any], Callable[..., Any]] = {
    pdfdoc.PDFDictionary.format: _dict_format,
    pdfdoc.PDFArray.format: _array_format,
    pdfdoc.PDFObjectReference.format: _ref_format,
}

#: ``pdfdoc``'s globals as the copied methods see them (filled in below).
_globals: dict[str, Any] = {}
_copies: dict[Callable[..., Any], Callable[..., Any]] = {}
_by_class: dict[type, Callable[..., Any]] = {}


def _copy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, a function of ``pdfdoc``, running on :data:`_globals`."""
    copy = _copies.get(fn)
    if copy is None:
        copy = types.FunctionType(
            fn.__code__, _globals, fn.__name__, fn.__defaults__, fn.__closure__
        )
        copy.__kwdefaults__ = fn.__kwdefaults__
        _copies[fn] = copy
    return copy


def _method(cls: type) -> Callable[..., Any]:
    """How an object of ``cls`` is formatted: its ``format`` method, fast where it can be."""
    method = _by_class.get(cls)
    if method is None:
        fn = getattr(cls, "format", None)
        if fn in _SHORT:
            method = _SHORT[fn]
        elif isinstance(fn, types.FunctionType) and fn.__globals__ is vars(pdfdoc):
            method = _copy(fn)
        else:  # not reportlab's pdfdoc (ours, another module): as it is
            method = cls.format
        _by_class[cls] = method
    return method


def _fast_class(cls: type) -> type:
    """A subclass of a ``pdfdoc`` class whose methods run on :data:`_globals`."""
    namespace = {
        name: _SHORT.get(fn) or _copy(fn)
        for name, fn in vars(cls).items()
        if isinstance(fn, types.FunctionType) and fn.__globals__ is vars(pdfdoc)
    }
    if "format" not in namespace:
        namespace["format"] = _method(cls)
    return type(cls.__name__, (cls,), namespace)


_globals.update(vars(pdfdoc))
_globals.update(format=fast_format, PDFName=fast_name, pdfdocEnc=fast_enc)
for _name in (
    "PDFDictionary",
    "PDFArray",
    "PDFStream",
    "PDFIndirectObject",
    "PDFFile",
    "PDFCrossReferenceSubsection",
    "PDFCrossReferenceTable",
    "PDFTrailer",
):
    _globals[_name] = _fast_class(getattr(pdfdoc, _name))


class FastDocument(pdfdoc.PDFDocument):
    """A ``PDFDocument`` whose final formatting runs as described in the module doc."""

    format = _copy(pdfdoc.PDFDocument.format)


def use_fast_save(doc: pdfdoc.PDFDocument) -> None:
    """Have ``doc`` (a plain reportlab ``PDFDocument``) formatted the fast way when saved."""
    if type(doc) is pdfdoc.PDFDocument:
        doc.__class__ = FastDocument
