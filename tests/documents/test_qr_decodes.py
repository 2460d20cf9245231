"""The QR codes we print decode, with the fixed mask (``documents._layout_qr.QR_MASK``).

segno's mask search is skipped for speed (issue 14); any of the eight masks is a valid code,
and this keeps it checked the way the office checks a document: the rendered PDF rasterised by
poppler and read by zbar (``services.verification.payload_from_qr``, the verify path), at the
resolutions the app uses, for the receipt (small QR, half page), the 80 mm roll and a letter.
"""

from __future__ import annotations

import dataclasses
import random
import shutil

import pytest

from desktop_perizinan.documents import _layout, samples
from desktop_perizinan.documents.pdf import render
from desktop_perizinan.services.documents import qr_payload
from desktop_perizinan.services.verification import payload_from_qr

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler/zbar missing"
)


def _payloads(count: int) -> list[str]:
    """Payloads as the services make them (number and check code), of the lengths printed."""
    rng = random.Random(14)
    numbers = (
        "REG/2026/00042",
        "503/0007/IT-LKSA/DPMPTSPK/2026",
        "503/12345/IMB-PBG/DPMPTSP-PSR/2027",
        "800/0001/KLR/DPMPTSPK/2026",
    )
    return [qr_payload(rng.choice(numbers), f"{rng.getrandbits(32):08x}") for _ in range(count)]


def test_qr_mask_is_fixed() -> None:
    code = _layout.QrCode(qr_payload("REG/2026/00042", "7f3a9c21"), 28).qr
    assert code.mask == _layout.QR_MASK


@pytest.mark.parametrize("name", ["resi", "resi_thermal", "izin"])
def test_printed_qr_decodes(name: str) -> None:
    base = samples.all_samples()[name]
    for payload in _payloads(3):
        ctx = dataclasses.replace(base, qr_payload=payload)
        assert payload_from_qr(render(ctx)) == payload
