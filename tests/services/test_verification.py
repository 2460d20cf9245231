"""Verification of a document against the book: from a file (metadata, QR, fingerprint) or a
scanned QR; changed files, unknown numbers, wrong codes, voided numbers; the command line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pki import PASSPHRASE, kadis_pkcs12, make_ca
from pypdf import PdfReader, PdfWriter

from desktop_perizinan.cli import verify as cli_verify
from desktop_perizinan.services import esign
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.services.documents import QR_PREFIX
from desktop_perizinan.services.verification import (
    METADATA_KEY,
    Verdict,
    embed_payload,
    payload_from_metadata,
    qr_tools_available,
    verify_payload,
    verify_pdf,
)
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"
needs_qr_tools = pytest.mark.skipif(
    not qr_tools_available(), reason="pdftoppm/zbarimg tidak terpasang"
)


@pytest.fixture
def issued(services, users, driver):
    """A Dairi permit issued with a wet signature: (document id, number, final PDF bytes)."""
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    return permit.id, permit.number, services.documents.pdf(permit.id)


def _payload(data: bytes) -> str:
    payload = payload_from_metadata(data)
    assert payload is not None
    return payload


def test_the_final_carries_its_payload_in_the_metadata(services, issued):
    _id, number, final = issued
    metadata = PdfReader(io.BytesIO(final)).metadata
    payload = metadata[METADATA_KEY]
    assert payload.startswith(f"{QR_PREFIX}|{number}|")
    # The stored fingerprint covers the metadata.
    result = verify_pdf(services, final)
    assert result.verdict is Verdict.VALID and result.valid and result.source == "metadata"
    details = dict(result.details)
    assert details["Nomor"] == number
    assert details["Buku agenda"] == "Buku Agenda Penomoran Izin LKS Asing"
    assert details["Pemohon"] == DEMO_APPLICANTS[0].name
    assert details["Jenis izin"] == "Izin Teknis Lembaga Kesejahteraan Sosial (LKS) Asing"
    assert details["Status permohonan"] == "Izin terbit"
    assert details["Tanggal"].endswith("2026")
    assert details["Tanda tangan"].startswith("basah oleh Drs. Marisi Sianturi")
    assert result.lines()[0].startswith("SAH")


@pytest.mark.parametrize("fraction", [0.0005, 0.1, 0.3, 0.5, 0.7, 0.9, 0.995])
def test_a_pdf_changed_by_one_byte_fails_and_says_it_was_changed(services, issued, fraction):
    _id, number, final = issued
    changed = bytearray(final)
    position = int(len(final) * fraction)
    changed[position] = (changed[position] + 1) % 256
    result = verify_pdf(services, bytes(changed))
    assert not result.valid
    assert result.verdict is Verdict.CHANGED, (position, result.lines())
    assert any("telah diubah" in note for note in result.notes)
    assert result.number == number


@pytest.mark.parametrize("change", ["last-digit", "separator"])
def test_a_changed_payload_in_the_metadata_is_caught_by_the_qr(services, issued, change):
    _id, _number, final = issued
    payload = _payload(final)
    # The last character changed to another (a code that already ends in "0" gets a "1").
    other = "1" if payload.endswith("0") else "0"
    altered = payload[:-1] + other if change == "last-digit" else payload.replace("|", "}", 1)
    forged = final.replace(payload.encode(), altered.encode(), 1)
    assert forged != final
    result = verify_pdf(services, forged)
    if qr_tools_available():
        assert result.verdict is Verdict.CHANGED and result.source == "qr"
        assert any("tidak sama dengan kode QR" in note for note in result.notes)
    assert not result.valid


def test_changed_text_is_listed_line_by_line(services, issued):
    from reportlab.pdfgen.canvas import Canvas

    _id, _number, final = issued
    reader = PdfReader(io.BytesIO(final))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(width, height))
    canvas.setFont("Helvetica", 9)
    canvas.drawString(72, 40, "Masa berlaku izin diperpanjang menjadi 25 tahun")
    canvas.save()
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    forged = embed_payload(out.getvalue(), _payload(final))

    result = verify_pdf(services, forged)
    assert result.verdict is Verdict.CHANGED
    assert "+ Masa berlaku izin diperpanjang menjadi 25 tahun" in result.differences
    assert all(line.startswith("+ ") for line in result.differences)
    text = "\n".join(result.lines())
    assert "Perbedaan teks" in text and "25 tahun" in text


def test_unknown_number_and_wrong_code(services, issued):
    _id, number, final = issued
    payload = _payload(final)
    unknown = embed_payload(final, f"{QR_PREFIX}|503/9999/PALSU/2026|ABCD-ABCD-ABCD-ABCD")
    # The file's own QR still names the genuine document: a changed file, not an unknown one.
    result = verify_pdf(services, unknown)
    assert not result.valid
    scanned = verify_payload(services, f"{QR_PREFIX}|503/9999/PALSU/2026|ABCD-ABCD-ABCD-ABCD")
    assert scanned.verdict is Verdict.UNKNOWN_NUMBER
    assert "tidak terdaftar" in scanned.notes[0]
    wrong = payload.rsplit("|", 1)[0] + "|0000-0000-0000-0000"
    mismatch = verify_payload(services, wrong)
    assert mismatch.verdict is Verdict.CODE_MISMATCH and number in mismatch.notes[0]
    assert not mismatch.in_book


def test_a_scanned_payload_matches_the_book(services, issued):
    document_id, number, final = issued
    result = verify_payload(services, "  " + _payload(final) + "\n")
    assert result.verdict is Verdict.VALID and result.in_book
    assert result.document_id == document_id and result.source == "pindaian"
    assert dict(result.details)["Nomor"] == number
    assert services.documents.pdf(result.document_id, result.version) == final
    not_ours = verify_payload(services, "https://contoh.go.id/izin")
    assert not_ours.verdict is Verdict.NOT_A_CODE and not not_ours.valid


def test_a_voided_number_is_flagged(services, users, issued):
    _id, number, final = issued
    entry = next(r for r in services.books.agenda("izin_lks_asing", 2026) if r.number == number)
    services.work.void_number(users["ksb_umum"], entry.id, "Salah ketik nama lembaga")
    for result in (verify_pdf(services, final), verify_payload(services, _payload(final))):
        assert result.verdict is Verdict.VOIDED and not result.valid
        assert "Salah ketik nama lembaga" in dict(result.details)["Pembatalan"]
        assert any("dibatalkan" in note for note in result.notes)


@needs_qr_tools
def test_a_document_without_metadata_is_read_from_its_qr(services, driver):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[2])
    view = services.queries.case(intake.case_id)
    resi = next(d for d in view.documents if d.kind == "resi")
    # A copy whose document information was stripped (e.g. re-saved by another program).
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(services.documents.pdf(resi.id))))
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert payload_from_metadata(data) is None
    result = verify_pdf(services, data)
    assert result.source == "qr"
    assert dict(result.details)["Nomor"] == view.reg_number


def test_a_file_without_any_code(services, issued):
    from desktop_perizinan.services.demo import SAMPLE_PDF

    for data in (SAMPLE_PDF, b"bukan pdf"):
        result = verify_pdf(services, data)
        assert result.verdict is Verdict.NO_CODE and not result.valid


def test_sign_verify_tamper(services, users, driver):
    """An electronically signed permit verifies; one changed byte makes it invalid."""
    ca = make_ca()
    esign.add_trust_root(services, users["admin"], ca.pem)
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="ttd_izin")
    step = services.queries.case(intake.case_id).open_step
    services.work.act(
        users["kadis"],
        ActRequest(
            step.step_record_id,
            "ditandatangani",
            data={"mode": "elektronik", "p12": kadis_pkcs12(ca), "passphrase": PASSPHRASE},
        ),
    )
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    signed = services.documents.pdf(permit.id)
    good = verify_pdf(services, signed)
    assert good.valid and good.signatures[0].ok
    assert dict(good.details)["Tanda tangan"].startswith("elektronik oleh Drs. Marisi Sianturi")
    tampered = bytearray(signed)
    position = signed.index(b"stream") + 50
    tampered[position] ^= 0x04
    bad = verify_pdf(services, bytes(tampered))
    assert bad.verdict is Verdict.CHANGED and not bad.valid
    assert bad.signatures and not bad.signatures[0].intact
    assert any("Tanda tangan elektronik tidak utuh" in note for note in bad.notes)


# ----------------------------------------------------------------------------- command line


@pytest.fixture
def demo_database(tmp_path, sqlite_url):
    """The demo scenario in a SQLite database: the URL and a final permit written to a file."""
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import demo_clock, run_demo

    clock = demo_clock()
    services = Services.open(sqlite_url, Path(__file__).resolve().parents[2] / "forms", clock=clock)
    try:
        run_demo(services, clock)
        row = next(r for r in services.queries.search("", limit=100) if r.permit_number)
        view = services.queries.case(row.id)
        permit = next(d for d in view.documents if d.kind == "izin")
        path = tmp_path / "izin.pdf"
        path.write_bytes(services.documents.pdf(permit.id))
    finally:
        services.close()
    return sqlite_url, path, permit.number


def test_cli_verify_on_a_final_from_the_demo(demo_database, tmp_path, capsys):
    url, path, number = demo_database
    assert cli_verify.main(["verify", str(path), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "SAH — dokumen sesuai dengan buku agenda" in out and number in out
    # The same as a separate process, as an administrator runs it.
    process = subprocess.run(
        [sys.executable, "-m", "desktop_perizinan.cli.verify", "verify", str(path), "--db", url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert "SAH — dokumen sesuai dengan buku agenda" in process.stdout

    changed = bytearray(path.read_bytes())
    changed[len(changed) // 2] ^= 0x01
    forged = tmp_path / "izin-diubah.pdf"
    forged.write_bytes(bytes(changed))
    assert cli_verify.main(["verify", str(forged), "--db", url]) == 1
    assert "TIDAK SAH — berkas telah diubah" in capsys.readouterr().out

    assert cli_verify.main(["verify", str(tmp_path / "tidak-ada.pdf"), "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("perizinan: ") and "tidak ditemukan" in err
    missing_db = f"sqlite:///{tmp_path / 'tidak-ada.sqlite3'}"
    assert cli_verify.main(["verify", str(path), "--db", missing_db]) == 2
    with pytest.raises(SystemExit) as usage:
        cli_verify.main(["verify"])
    assert usage.value.code == 2
