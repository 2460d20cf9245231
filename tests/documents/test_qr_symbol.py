"""Our QR symbol is module for module segno's (``documents._layout_qr.encode``, issue 14).

The symbol is assembled from per-version templates instead of ``segno.make`` for speed; the
printed code must stay exactly what segno would make with the same options, for every length
and mode a payload can take (numeric, alphanumeric, byte, kanji) and across versions.
"""

from __future__ import annotations

import random

import pytest
import segno

from desktop_perizinan.documents import _layout_qr

_ALPHABETS = (
    "0123456789",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:",
    "PRZ|503/0007/IT-LKSA/DPMPTSPK/2026|abcdef0123456789",
    "éüñ Ábc",
    "漢字テスト",
)


@pytest.mark.parametrize("alphabet", _ALPHABETS)
def test_symbol_is_segnos(alphabet: str) -> None:
    rng = random.Random(14)
    for length in [*range(1, 120, 3), 200, 400, 900]:
        payload = "".join(rng.choice(alphabet) for _ in range(length))
        ref = segno.make(payload, error="m", micro=False, mask=_layout_qr.QR_MASK)
        got = _layout_qr.encode(payload)
        assert got.matrix == tuple(bytes(row) for row in ref.matrix), payload
        assert got.version == ref.version
        assert segno.encoder.get_error_name(got.error) == ref.error
        assert got.mask == ref.mask == _layout_qr.QR_MASK
