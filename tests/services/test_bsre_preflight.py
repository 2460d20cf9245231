"""Pre-flight (what BSrE accepts) and post-flight (what comes back) on real PDFs, no network."""

from __future__ import annotations

import io

import pytest
from pki import PASSPHRASE, kadis_pkcs12, make_ca

from desktop_perizinan.services import esign
from desktop_perizinan.services.esign.preflight import (
    check_before_sending,
    check_returned,
    single_revision,
)
from desktop_perizinan.services.verification import embed_payload


@pytest.fixture(scope="module")
def permit() -> bytes:
    from desktop_perizinan.documents import samples
    from desktop_perizinan.documents.pdf import render

    return render(samples.sample_permit())


def _helvetica_page(text: str = "Surat") -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_our_final_passes_once_written_as_one_revision(permit):
    check_before_sending(permit)  # the renderer's own file: one revision, fonts embedded
    with_code = embed_payload(permit, "PRZ|503/1|ABCD-EF01")
    with pytest.raises(esign.PreflightError, match="pembaruan bertahap"):
        check_before_sending(with_code)
    flat = single_revision(with_code)
    check_before_sending(flat, required_metadata=["ABCD-EF01"])
    assert single_revision(flat) is flat  # a clean file is sent byte for byte


def test_what_bsre_would_reject_is_refused_in_words(permit):
    with pytest.raises(esign.PreflightError, match=r"tidak tertanam.*Helvetica"):
        check_before_sending(_helvetica_page())
    with pytest.raises(esign.PreflightError, match="bukan PDF"):
        check_before_sending(b"<html>")
    identity = esign.open_pkcs12(kadis_pkcs12(make_ca()), PASSPHRASE)
    with pytest.raises(esign.PreflightError, match="sudah memuat tanda tangan"):
        check_before_sending(esign.sign_pdf(identity, permit))
    with pytest.raises(esign.PreflightError, match="kode verifikasi"):
        check_before_sending(permit, required_metadata=["ABCD-EF01"])
    with pytest.raises(esign.PreflightError, match="belum tercetak"):
        check_before_sending(permit, required_text=["503/9999/TIDAK/ADA"])


def test_the_marker_must_be_there_exactly_once(permit):
    with pytest.raises(esign.PreflightError, match="ditemukan 0 kali"):
        check_before_sending(permit, marker="§")
    with pytest.raises(esign.PreflightError, match=r"ditemukan \d+ kali"):
        check_before_sending(permit, marker=":")  # many colons in a letter


def test_the_returned_pdf_must_be_ours_signed_by_the_signer(permit):
    ca = make_ca()
    identity = esign.open_pkcs12(kadis_pkcs12(ca), PASSPHRASE)
    signed = esign.sign_pdf(identity, permit)
    name = identity.info.common_name
    info, trusted = check_returned(permit, signed, esign.ExpectedSigner(name), [ca.certificate])
    assert trusted and info.common_name == name
    with pytest.raises(esign.InvalidSignedPdf, match="bukan milik"):
        check_returned(permit, signed, esign.ExpectedSigner("Jonner Tamba"))
    with pytest.raises(esign.InvalidSignedPdf, match="berbeda dengan dokumen yang dikirim"):
        check_returned(_helvetica_page(), signed, esign.ExpectedSigner(name))
    with pytest.raises(esign.InvalidSignedPdf, match="tidak berantai"):
        check_returned(permit, signed, esign.ExpectedSigner(name), [make_ca("Lain").certificate])
    with pytest.raises(esign.InvalidSignedPdf, match="seharusnya satu"):
        check_returned(permit, permit, esign.ExpectedSigner(name))
