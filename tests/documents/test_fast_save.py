"""A document saved through ``documents._layout_save`` is byte for byte what reportlab writes.

The fast save runs reportlab's own ``format`` methods with faster helpers; what could go
wrong is a helper that is not quite equivalent (a name, a string encoding, a number, a
dictionary's line breaks). Every sample document, with its name, numbers and QR varied and
as a draft, is saved both ways in reportlab's invariant mode (no date, no random id) and the
bytes compared; the helpers are also checked one by one on the values they must get right.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc

from desktop_perizinan.documents import _layout_build, _layout_save, samples
from desktop_perizinan.documents.pdf import render


@pytest.fixture
def invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    """No creation date or random document id: two saves of one document compare equal."""
    monkeypatch.setattr(rl_config, "invariant", 1)


def _both_ways(ctx: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    """(fast save, plain reportlab save) of ``ctx``."""
    fast = render(ctx)
    with monkeypatch.context() as m:
        m.setattr(_layout_build, "use_fast_save", lambda doc: None)
        plain = render(ctx)
    return fast, plain


def _renamed(ctx: Any, name: str) -> Any:
    """``ctx`` with the sample applicant's name replaced wherever it is printed."""

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(samples.LONG_NAME, name)
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = dataclasses.fields(value)
            return dataclasses.replace(
                value, **{f.name: swap(getattr(value, f.name)) for f in fields}
            )
        return value

    return swap(ctx)


@pytest.mark.usefixtures("invariant")
@pytest.mark.parametrize("name", list(samples.all_samples()))
def test_every_sample_saves_to_reportlabs_bytes(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = samples.all_samples()[name]
    fast, plain = _both_ways(ctx, monkeypatch)
    assert b"D:20000101000000" in fast  # invariant mode really on: the comparison means something
    assert fast == plain
    # a name never printed before, with letters outside PDFDocEncoding in the title and text
    other = _renamed(ctx, "Ñoño Łukasz Ōtsuka Nguyễn Thị Ánh")
    fast, plain = _both_ways(other, monkeypatch)
    assert fast == plain


def test_fast_save_is_used_and_only_for_plain_documents() -> None:
    doc = pdfdoc.PDFDocument()
    _layout_save.use_fast_save(doc)
    assert type(doc) is _layout_save.FastDocument

    class Other(pdfdoc.PDFDocument):
        pass

    other = Other()
    _layout_save.use_fast_save(other)
    assert type(other) is Other  # a subclass may format differently: left alone


def test_ascii_encodes_as_reportlabs_codec_does() -> None:
    for code in range(128):
        ch = chr(code)
        try:
            expected = ch.encode("extpdfdoc")
        except UnicodeEncodeError:
            expected = None
        if _layout_save._NOT_IDENTITY.search(ch):
            assert expected != bytes([code])
        else:
            assert expected == bytes([code]) == _layout_save.fast_enc(ch)
    for text in ("Café", "tab\tnew\nline", ""):
        assert _layout_save.fast_enc(text) == pdfdoc.pdfdocEnc(text)
    for encode in (_layout_save.fast_enc, pdfdoc.pdfdocEnc):  # refused alike
        with pytest.raises(UnicodeEncodeError):
            encode("a\x19b")
    assert _layout_save.fast_enc(b"\x00raw") == b"\x00raw"


@pytest.mark.parametrize(
    "value",
    [
        0,
        -3,
        12.5,
        1e-7,
        1 / 3,
        True,
        None,
        "/Name",
        b"bytes",
        pdfdoc.PDFArray([1, 2.25, "/A"] * 6),
        pdfdoc.PDFArrayCompact(list(range(25))),
        pdfdoc.PDFString("Nama (dengan kurung) dan é"),
        pdfdoc.PDFDictionary({"Z": 1, "A": pdfdoc.PDFName("B"), "Key with space": 2}),
    ],
)
def test_values_format_as_reportlab_formats_them(value: Any) -> None:
    doc = pdfdoc.PDFDocument()
    assert _layout_save.fast_format(value, doc) == pdfdoc.format(value, doc)


def test_names_and_forced_multiline_dictionaries() -> None:
    doc = pdfdoc.PDFDocument()
    for name in ("Type", "A B", "x#y", "é", "(paren)"):
        assert _layout_save.fast_name(name) == pdfdoc.PDFName(name)
        assert _layout_save._key(name) == pdfdoc.format(pdfdoc.PDFName(name), doc)
    d = pdfdoc.PDFDictionary({f"K{i}": i for i in range(14)})
    assert _layout_save.fast_format(d, doc) == pdfdoc.format(d, doc)
    d.multiline = "forced"
    assert _layout_save.fast_format(d, doc) == pdfdoc.format(d, doc)
