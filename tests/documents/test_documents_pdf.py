"""The renderers: every document read back as text, drafts marked, finals with a QR that decodes.

The PDFs are read with pypdf (text) and rasterised with poppler's ``pdftoppm`` for the QR test
(decoded with ``zbarimg``); only that test is skipped when the tools are missing.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_perizinan.documents import samples
from desktop_perizinan.documents.contexts import Applicant, LetterContext
from desktop_perizinan.documents.pdf import (
    render,
    render_berita_acara,
    render_disposisi,
    render_klarifikasi,
    render_letter,
    render_resi,
    render_skrd,
    render_tanda_terima,
)

MM = 72 / 25.4
HAVE_QR_TOOLS = bool(shutil.which("pdftoppm") and shutil.which("zbarimg"))


def pdf_text(data: bytes) -> str:
    """All pages' text with whitespace runs (line wraps) collapsed to one space."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(data))
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


def decode_qr(data: bytes, tmp_path: Path) -> list[str]:
    """Rasterise page 1 at 150 dpi and decode every QR code on it."""
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line]


FINALS = {
    "resi": lambda: samples.sample_resi(),
    "resi_thermal": lambda: samples.sample_resi(samples.sample_office(resi_format="thermal")),
    "izin": lambda: samples.sample_permit(),
    "penolakan": lambda: samples.sample_rejection(),
    "permintaan_rekomendasi": lambda: samples.sample_recommendation_request(),
    "berita_acara": lambda: samples.sample_berita_acara(),
    "skrd": lambda: samples.sample_skrd(),
    "tanda_terima": lambda: samples.sample_tanda_terima(),
}


# ------------------------------------------------------------------------ what each one says


def test_resi_contains_the_case() -> None:
    ctx = samples.sample_resi()
    text = pdf_text(render_resi(ctx))
    for expected in (
        "RESI PENERIMAAN BERKAS",
        "PEMERINTAH KABUPATEN DAIRI",
        ctx.registration_number,
        samples.LONG_NAME,
        ctx.applicant.nik,
        "Senin, 16 November 2026 pukul 10.42 WIB",
        "Kamis, 3 Desember 2026",
        "Gratis",
        "Keterangan mengenai mitra kerja lokal",
        "Belum ada",
        ctx.clerk,
    ):
        assert expected in text, expected
    assert "{" not in text


def test_resi_half_sheet_and_thermal_roll() -> None:
    half = render_resi(samples.sample_resi())
    assert page_sizes(half) == [pytest.approx((215, 165), abs=0.5)]
    a4 = render_resi(samples.sample_resi(samples.sample_office(paper="A4")))
    assert page_sizes(a4) == [pytest.approx((210, 148.5), abs=0.5)]
    roll = render_resi(samples.sample_resi(samples.sample_office(resi_format="thermal")))
    ((width, height),) = page_sizes(roll)
    assert width == pytest.approx(80, abs=0.5)
    assert 120 < height < 400  # as long as the content, one piece of paper
    assert samples.LONG_NAME in pdf_text(roll)


def test_klarifikasi_lists_what_is_missing() -> None:
    ctx = samples.sample_klarifikasi()
    for office in (ctx.office, samples.sample_office(resi_format="thermal")):
        text = pdf_text(render_klarifikasi(replace(ctx, office=office)))
        for expected in (
            "KLARIFIKASI KELENGKAPAN BERKAS",
            ctx.case_reference,
            samples.LONG_NAME,
            "Surat izin prinsip dari Menteri Luar Negeri",
            "Keterangan mengenai mitra kerja lokal",
            "16 November 2026",
            ctx.clerk,
        ):
            assert expected in text, expected
        assert "{" not in text


def test_disposisi_form() -> None:
    ctx = samples.sample_disposisi()
    data = render_disposisi(ctx)
    text = pdf_text(data)
    for expected in (
        "LEMBAR DISPOSISI",
        samples.LONG_NAME,
        ctx.letter_number,
        ctx.agenda_number,
        "16 November 2026",
        "Sangat Segera",  # every sifat is printed, the chosen one ticked
        "Tanggapan dan saran",
        "Cek ke lapangan",  # an instruction outside the standard list is printed too
        "Kabid Pelayanan",
        ctx.disposer_name,
        "Yayasan Harapan Anak Nusantara & Partners International",
    ):
        assert expected in text, expected
    assert page_sizes(data) == [pytest.approx((215, 165), abs=0.5)]


def test_permit_final() -> None:
    ctx = samples.sample_permit()
    data = render_letter(ctx)
    text = pdf_text(data)
    for expected in (
        ctx.title,
        f"NOMOR : {ctx.number}",
        "Dasar",
        "Permendagri No. 52 Tahun 2011",
        samples.LONG_NAME,
        "Yayasan Harapan Anak Nusantara & Partners International",  # & escaped, printed
        "23 November 2026",
        "Ditetapkan di",
        "Drs. Jonny Hamonangan Sitanggang, M.Si.",
        "NIP. 19700512 199503 1 002",
        "Pembina Utama Muda",
        "Tembusan",
        "Bupati Dairi",
    ):
        assert expected in text, expected
    assert "DRAF" not in text and "Paraf" not in text and "{" not in text
    assert page_sizes(data) == [pytest.approx((215, 330), abs=0.5)]  # one F4 page


def test_permit_draft_has_watermark_paraf_and_no_number() -> None:
    ctx = samples.sample_permit(final=False)
    text = pdf_text(render_letter(ctx))
    assert "DRAF" in text
    assert "NOMOR : ....." in text
    assert "Paraf" in text
    for mark in ctx.paraf:
        assert mark.initials in text and mark.role in text
    assert "20-11-2026" in text
    assert "Nomor dokumen" not in text


def test_rejection_letter_final_and_draft() -> None:
    ctx = samples.sample_rejection()
    text = pdf_text(render_letter(ctx))
    for expected in (
        f"Nomor : {ctx.number}",
        "Sifat : Biasa",
        "Hal : Penolakan Permohonan Izin Teknis LKS Asing",
        "Yth. Sdr. " + samples.LONG_NAME,
        "Sidikalang, 23 November 2026",
        "a.n. Kepala Dinas",
        "Sekretaris,",
        "Ditandatangani secara elektronik oleh",
        "telah habis masa berlakunya",
        "NIP. 19780304 200212 2 003",
    ):
        assert expected in text, expected
    draft = pdf_text(render_letter(samples.sample_rejection(final=False)))
    assert "DRAF" in draft
    assert "Nomor : ....." in draft
    assert "Ditandatangani secara elektronik" not in draft


def test_recommendation_request() -> None:
    ctx = samples.sample_recommendation_request()
    text = pdf_text(render_letter(ctx))
    for expected in (
        ctx.number,
        "Lampiran : 1 (satu) berkas",
        "Yth. Ketua Tim Teknis",
        samples.LONG_NAME,
        "Kepala Bidang Pelayanan",
    ):
        assert expected in text, expected


def test_berita_acara() -> None:
    ctx = samples.sample_berita_acara()
    text = pdf_text(render_berita_acara(ctx))
    for expected in (
        "BERITA ACARA PENINJAUAN LAPANGAN",
        ctx.number,
        "Kamis, 19 November 2026",
        samples.LONG_NAME,
        "Ir. Gomgom Manurung",
        "Ketua",
        "Dinas Sosial",
        "Papan nama lembaga terpasang",
        ctx.conclusion,
    ):
        assert expected in text, expected
    draft = pdf_text(render_berita_acara(samples.sample_berita_acara(final=False)))
    assert "DRAF" in draft and "Nomor : ....." in draft


def test_skrd() -> None:
    ctx = samples.sample_skrd()
    text = pdf_text(render_skrd(ctx))
    for expected in (
        "SURAT KETETAPAN RETRIBUSI DAERAH",
        ctx.number,
        samples.LONG_NAME,
        "150.000",
        "Seratus lima puluh ribu rupiah",
        "20 Desember 2026",
        "4.1.02.03.01",
    ):
        assert expected in text, expected


def test_tanda_terima() -> None:
    ctx = samples.sample_tanda_terima()
    text = pdf_text(render_tanda_terima(ctx))
    for expected in (
        "TANDA TERIMA PENYERAHAN DOKUMEN",
        ctx.document_number,
        ctx.document_title,
        samples.LONG_NAME,
        "Selasa, 24 November 2026 pukul 14.05 WIB",
        ctx.officer,
    ):
        assert expected in text, expected


@pytest.mark.parametrize("name", sorted(samples.all_samples()))
def test_every_sample_renders_without_placeholders(name: str) -> None:
    ctx = samples.all_samples()[name]
    data = render(ctx)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "{" not in text and "}" not in text
    assert "PEMERINTAH KABUPATEN DAIRI" in text
    assert ("DRAF" in text) == bool(getattr(ctx, "draft", False))


# ------------------------------------------------------------------------------ hard inputs


def test_long_unbroken_text_wraps_instead_of_clipping() -> None:
    """A 120-character "word" (a pasted URL, a name without spaces) is split, never lost."""
    blob = "X" * 120
    ctx = samples.sample_resi()
    ctx = replace(ctx, applicant=Applicant(name=blob, nik="1", address=blob * 2))
    text = pdf_text(render_resi(ctx)).replace(" ", "")
    assert blob * 2 in text  # the address, split over lines, all there
    assert text.count("X") >= 3 * 120


def test_markup_characters_in_user_text_are_printed() -> None:
    name = 'PT <Maju> & Sejahtera "Bersama"'
    ctx = samples.sample_resi()
    ctx = replace(ctx, applicant=replace(ctx.applicant, name=name))
    assert name in pdf_text(render_resi(ctx))


def test_a_long_letter_flows_onto_numbered_pages() -> None:
    base = samples.sample_rejection()
    body = "\n\n".join(f"Paragraf {i}. " + "Isi surat yang panjang. " * 30 for i in range(12))
    data = render_letter(replace(base, body=body))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    assert "- 2 -" in reader.pages[1].extract_text()
    assert "Paragraf 11." in pdf_text(data)


def test_plt_and_plh_signatories() -> None:
    base = samples.sample_permit()
    for prefix in ("Plt.", "Plh."):
        signer = replace(base.signatory, on_behalf=prefix)
        text = pdf_text(render_letter(replace(base, signatory=signer)))
        assert f"{prefix} Kepala Dinas" in text


def test_draft_ignores_a_qr_payload() -> None:
    ctx = replace(samples.sample_permit(final=False), qr_payload="PRZ|x|y")
    assert "Nomor dokumen" not in pdf_text(render_letter(ctx))


def test_custom_emblem_is_used(tmp_path: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), (200, 0, 0)).save(buffer, format="JPEG")
    office = replace(samples.sample_office(), emblem=buffer.getvalue())
    data = render_letter(replace(samples.sample_permit(), office=office))
    assert b"/DCTDecode" in data  # the JPEG went in as it is


def test_render_refuses_an_unknown_context() -> None:
    with pytest.raises(TypeError):
        render(object())  # type: ignore[arg-type]


def test_letter_without_date_prints_dots() -> None:
    ctx: LetterContext = replace(samples.sample_rejection(final=False), date=None)
    assert "Sidikalang, ....." in pdf_text(render_letter(ctx))


# ------------------------------------------------------------------------------------- QR


@pytest.mark.skipif(not HAVE_QR_TOOLS, reason="pdftoppm atau zbarimg tidak terpasang")
@pytest.mark.parametrize("name", sorted(FINALS))
def test_final_documents_carry_a_qr_that_decodes(name: str, tmp_path: Path) -> None:
    ctx = FINALS[name]()
    assert decode_qr(render(ctx), tmp_path) == [ctx.qr_payload]


@pytest.mark.skipif(not HAVE_QR_TOOLS, reason="pdftoppm atau zbarimg tidak terpasang")
@pytest.mark.parametrize(
    "ctx",
    [
        samples.sample_permit(final=False),
        samples.sample_rejection(final=False),
        samples.sample_berita_acara(final=False),
        samples.sample_skrd(final=False),
    ],
    ids=["izin", "penolakan", "berita_acara", "skrd"],
)
def test_drafts_carry_no_qr(ctx: object, tmp_path: Path) -> None:
    assert decode_qr(render(ctx), tmp_path) == []  # type: ignore[arg-type]


def test_qr_payload_with_unicode_round_trips_through_segno() -> None:
    """The payload is the services' business; whatever it is, segno must encode it."""
    import segno

    payload = f"PRZ|{samples.LONG_NAME}|{datetime(2026, 1, 1):%Y}"
    assert segno.make(payload, error="m").designator
