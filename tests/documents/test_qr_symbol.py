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


class _Codewords:
    """Data codewords as ``segno.encoder.make_blocks`` reads them."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def toints(self) -> object:
        return iter(self.data)


def test_error_correction_is_segnos_for_every_version_and_level() -> None:
    rng = random.Random(18004)
    for version in range(1, 41):
        for error, infos in segno.consts.ECC[version].items():
            total = sum(info.num_blocks * info.num_data for info in infos)
            for _ in range(3):
                data = bytes(rng.randrange(256) for _ in range(total))
                ref_data, ref_error = segno.encoder.make_blocks(infos, _Codewords(data))
                got_data, got_error = _layout_qr._blocks(infos, data)
                assert got_data == [bytes(b) for b in ref_data], (version, error)
                assert got_error == [bytes(b) for b in ref_error], (version, error)


def test_dark_runs_are_every_dark_module_once() -> None:
    for n in range(40):
        qr = _layout_qr.encode(f"PRZ|503/{n:04d}/IT-LKSA/DPMPTSPK/2026|{n:08x}")
        ops = _layout_qr._runs(qr).split("\n")
        assert ops[-1] == "f"
        dark = set()
        for op in ops[:-1]:
            x, y, w, h, name = op.split()
            assert (h, name) == ("1.02", "re")
            for i in range(int(x), int(x) + int(w)):
                assert (int(y), i) not in dark
                dark.add((int(y), i))
        expected = {(r, c) for r, row in enumerate(qr.matrix) for c, m in enumerate(row) if m}
        assert dark == expected
