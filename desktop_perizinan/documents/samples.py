"""Sample contexts for every document: for the tests, the benchmark and the PNG samples.

They are deliberately awkward: a 60-character applicant name with diacritics, a hyphen and an
apostrophe, a long office name, a long address. A layout that survives these survives the
counter. Also usable by ``perizinan demo`` to show what the documents look like.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from desktop_perizinan.documents.contexts import (
    Applicant,
    BeritaAcaraContext,
    DisposisiContext,
    KlarifikasiContext,
    LetterContext,
    LetterKind,
    OfficeProfile,
    ParafMark,
    ResiContext,
    Signatory,
    SkrdContext,
    TandaTerimaContext,
    TeamMember,
    fill_wording,
)

#: 60 characters, with an accent, a hyphen and an apostrophe.
LONG_NAME = "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien Simanjuntak"

PERMIT_BODY = """
Berdasarkan permohonan {nama_pemohon} (NIK {nik_pemohon}) yang terdaftar dengan nomor \
registrasi {nomor_registrasi}, dan rekomendasi Tim Teknis, Kepala Dinas memberikan izin teknis \
kepada lembaga {nama_lembaga} dari {negara_asal}, beralamat di {alamat_lembaga}, untuk \
menyelenggarakan kegiatan kesejahteraan sosial di bidang {bidang_kegiatan} bersama mitra kerja \
lokal {mitra_lokal} di wilayah Kabupaten Dairi.

Izin ini berlaku selama lembaga mematuhi ketentuan peraturan perundang-undangan dan wajib \
melaporkan kegiatannya setiap tahun kepada Dinas."""

REJECTION_BODY = """
Menindaklanjuti permohonan Saudara {nama_pemohon} dengan nomor registrasi {nomor_registrasi} \
atas nama lembaga {nama_lembaga}, dengan ini kami sampaikan bahwa permohonan tersebut belum \
dapat dikabulkan dengan alasan:

{alasan}

Saudara dapat mengajukan permohonan kembali setelah memenuhi ketentuan di atas."""

LEGAL_BASIS = (
    "Permendagri No. 52 Tahun 2011 tentang Standar Operasional Prosedur di Lingkungan "
    "Pemerintah Provinsi dan Kabupaten/Kota",
    "Peraturan Daerah Kabupaten Dairi Nomor 4 Tahun 2019 tentang Perubahan Atas Peraturan "
    "Daerah Kabupaten Dairi Nomor 7 Tahun 2016 tentang Pembentukan Perangkat Daerah Kabupaten "
    "Dairi",
    "Peraturan Bupati Dairi Nomor 13 Tahun 2020 tentang Pendelegasian Wewenang Perizinan dan "
    "Nonperizinan Kepada Kepala Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu dan "
    "Ketenagakerjaan Kabupaten Dairi",
)

REGISTRATION = "REG/2026/00042"
PERMIT_NUMBER = "503/0007/IT-LKSA/DPMPTSPK/2026"
LETTER_NUMBER = "503/118/DPMPTSPK/2026"


def sample_office(paper: str = "F4", resi_format: str = "half") -> OfficeProfile:
    """The Dairi office with its real, long name."""
    return OfficeProfile(
        regency="KABUPATEN DAIRI",
        office_name=("Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu dan Ketenagakerjaan"),
        address="Jalan Sisingamangaraja No. 1, Sidikalang",
        postal_code="22211",
        phone="(0627) 21000",
        website="dpmptspk.dairikab.go.id",
        email="dpmptspk@dairikab.go.id",
        city="Sidikalang",
        head_title="Kepala Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu dan "
        "Ketenagakerjaan Kabupaten Dairi",
        head_name="Drs. Jonny Hamonangan Sitanggang, M.Si.",
        head_rank="Pembina Utama Muda",
        head_nip="19700512 199503 1 002",
        paper=paper,  # type: ignore[arg-type]
        resi_format=resi_format,  # type: ignore[arg-type]
    )


def sample_applicant() -> Applicant:
    return Applicant(
        name=LONG_NAME,
        nik="1211014507900003",
        address="Jalan Pahlawan No. 17, Kelurahan Batang Beruh, Kecamatan Sidikalang, "
        "Kabupaten Dairi, Sumatera Utara",
        phone="0812-6543-2109",
    )


def sample_values() -> dict[str, object]:
    """Placeholder values as the services would gather them for the LKS Asing wording."""
    a = sample_applicant()
    return {
        "nama_pemohon": a.name,
        "nik_pemohon": a.nik,
        "nomor_registrasi": REGISTRATION,
        "nama_lembaga": "Yayasan Harapan Anak Nusantara & Partners International",
        "negara_asal": "Selandia Baru",
        "alamat_lembaga": "Jalan Runggu No. 8, Sidikalang",
        "bidang_kegiatan": "Perlindungan anak",
        "mitra_lokal": "Yayasan Pelita Dairi",
        "alasan": "Surat izin prinsip dari Menteri Luar Negeri yang dilampirkan telah habis "
        "masa berlakunya, dan hasil peninjauan lapangan menunjukkan alamat kantor di "
        "Kabupaten Dairi belum dapat dipastikan.",
    }


def sample_paraf() -> tuple[ParafMark, ...]:
    return (
        ParafMark(
            "Ka Seksi Pelayanan II", "Rosmawati Br. Sinaga, S.Sos.", datetime(2026, 11, 20, 9, 5)
        ),
        ParafMark("Kabid Pelayanan", "Ir. Gomgom Manurung", datetime(2026, 11, 20, 13, 40)),
        ParafMark("Sekretaris", "Hotnida Pasaribu, S.H., M.H.", datetime(2026, 11, 21, 8, 15)),
    )


def sample_resi(office: OfficeProfile | None = None) -> ResiContext:
    office = office or sample_office()
    return ResiContext(
        office=office,
        registration_number=REGISTRATION,
        permit_type="Izin Teknis Lembaga Kesejahteraan Sosial (LKS) Asing",
        applicant=sample_applicant(),
        received_at=datetime(2026, 11, 16, 10, 42),
        due_at=datetime(2026, 12, 3, 16, 0),
        checklist=(
            ("Fotokopi KTP penanggung jawab", True),
            (
                "Bukti berbadan hukum dan terdaftar di negara yang memiliki hubungan "
                "diplomatik dengan Indonesia",
                True,
            ),
            ("Surat izin prinsip dari Menteri Luar Negeri", True),
            ("Proposal kerja sama termasuk rencana kegiatan dan program kerja tahunan", True),
            ("Keterangan mengenai mitra kerja lokal", False),
        ),
        fee_text="Gratis",
        clerk="Maria Magdalena Tampubolon",
        channel="Loket",
        qr_payload=f"PRZ1|resi|{REGISTRATION}|7f3a9c21",
    )


def sample_klarifikasi(office: OfficeProfile | None = None) -> KlarifikasiContext:
    return KlarifikasiContext(
        office=office or sample_office(),
        case_reference="KLR/2026/00013",
        applicant=sample_applicant(),
        permit_type="Izin Teknis Lembaga Kesejahteraan Sosial (LKS) Asing",
        missing=(
            "Surat izin prinsip dari Menteri Luar Negeri",
            "Keterangan mengenai mitra kerja lokal",
        ),
        clerk="Maria Magdalena Tampubolon",
        date=datetime(2026, 11, 16, 10, 30),
        note="Izin prinsip yang dibawa sudah habis masa berlakunya (Juni 2026).",
        received=("Fotokopi KTP penanggung jawab", "Proposal kerja sama"),
    )


def sample_disposisi(office: OfficeProfile | None = None) -> DisposisiContext:
    return DisposisiContext(
        office=office or sample_office(),
        letter_from=LONG_NAME,
        letter_number=REGISTRATION,
        letter_date=date(2026, 11, 16),
        received_date=date(2026, 11, 16),
        agenda_number="0042",
        sifat="Segera",
        hal="Permohonan Izin Teknis Lembaga Kesejahteraan Sosial (LKS) Asing atas nama "
        "Yayasan Harapan Anak Nusantara & Partners International",
        to=("Kabid Pelayanan", "Ka Seksi Pelayanan II"),
        instructions=("Proses lebih lanjut", "Koordinasikan/konfirmasikan", "Cek ke lapangan"),
        disposer_name="Drs. Jonny Hamonangan Sitanggang, M.Si.",
        disposer_title="Kepala Dinas",
        date=date(2026, 11, 16),
        notes="Mohon koordinasi dengan Tim Teknis Dinas Sosial paling lambat 3 hari kerja.",
    )


def sample_permit(office: OfficeProfile | None = None, *, final: bool = True) -> LetterContext:
    office = office or sample_office()
    values = sample_values()
    return LetterContext(
        office=office,
        kind=LetterKind.PERMIT,
        number=PERMIT_NUMBER if final else None,
        place=office.city,
        date=date(2026, 11, 23) if final else None,
        title="SURAT IZIN TEKNIS LEMBAGA KESEJAHTERAAN SOSIAL ASING",
        body=fill_wording(PERMIT_BODY, values),
        signatory=office.head_signatory(),
        table=(
            ("Nama lembaga", str(values["nama_lembaga"])),
            ("Negara asal", str(values["negara_asal"])),
            ("Alamat kantor", str(values["alamat_lembaga"])),
            ("Bidang kegiatan", str(values["bidang_kegiatan"])),
            ("Mitra kerja lokal", str(values["mitra_lokal"])),
            ("Penanggung jawab", LONG_NAME),
        ),
        legal_basis=LEGAL_BASIS,
        paraf=() if final else sample_paraf(),
        draft=not final,
        qr_payload=f"PRZ1|izin|{PERMIT_NUMBER}|c0ffee42" if final else None,
        tembusan=("Bupati Dairi (sebagai laporan)", "Kepala Dinas Sosial Kabupaten Dairi"),
    )


def sample_rejection(office: OfficeProfile | None = None, *, final: bool = True) -> LetterContext:
    office = office or sample_office()
    values = sample_values()
    a = sample_applicant()
    return LetterContext(
        office=office,
        kind=LetterKind.REJECTION,
        number=LETTER_NUMBER if final else None,
        place=office.city,
        date=date(2026, 11, 23) if final else None,
        title="",
        hal="Penolakan Permohonan Izin Teknis LKS Asing",
        addressee=(f"Sdr. {a.name}", a.address, "di", "Tempat"),
        body=fill_wording(REJECTION_BODY, values),
        signatory=Signatory(
            name="Hotnida Pasaribu, S.H., M.H.",
            title="Sekretaris",
            rank="Pembina",
            nip="19780304 200212 2 003",
            on_behalf="a.n.",
            principal_title=office.head_title,
        ),
        paraf=() if final else sample_paraf()[:2],
        draft=not final,
        qr_payload=f"PRZ1|penolakan|{LETTER_NUMBER}|5e1ec7ed" if final else None,
        e_signed_by=(
            "Hotnida Pasaribu, S.H., M.H. (Sertifikat Elektronik DPMPTSPK Dairi)" if final else None
        ),
        tembusan=("Kepala Dinas Sosial Kabupaten Dairi",),
    )


def sample_recommendation_request(office: OfficeProfile | None = None) -> LetterContext:
    office = office or sample_office()
    a = sample_applicant()
    return LetterContext(
        office=office,
        kind=LetterKind.RECOMMENDATION_REQUEST,
        number="503/119/DPMPTSPK/2026",
        place=office.city,
        date=date(2026, 11, 17),
        title="",
        hal="Permohonan Rekomendasi Teknis Izin LKS Asing",
        sifat="Segera",
        lampiran="1 (satu) berkas",
        addressee=(
            "Ketua Tim Teknis Perizinan",
            "Dinas Sosial Kabupaten Dairi",
            "di",
            "Sidikalang",
        ),
        body=(
            f"Bersama ini kami sampaikan permohonan Izin Teknis Lembaga Kesejahteraan Sosial "
            f"Asing atas nama {a.name} dengan nomor registrasi {REGISTRATION}. Untuk itu kami "
            "mohon Tim Teknis melakukan peninjauan lapangan dan memberikan rekomendasi "
            "paling lambat 3 (tiga) hari kerja sejak surat ini diterima."
        ),
        table=(
            ("Nama pemohon", a.name),
            ("Nama lembaga", "Yayasan Harapan Anak Nusantara & Partners International"),
            ("Alamat lembaga", "Jalan Runggu No. 8, Sidikalang"),
        ),
        signatory=Signatory(
            name="Ir. Gomgom Manurung",
            title="Kepala Bidang Pelayanan",
            rank="Pembina",
            nip="19750101 200003 1 004",
            on_behalf="a.n.",
            principal_title=office.head_title,
        ),
        qr_payload="PRZ1|rekomendasi|503/119/DPMPTSPK/2026|a11ce5ee",
    )


def sample_berita_acara(
    office: OfficeProfile | None = None, *, final: bool = True
) -> BeritaAcaraContext:
    return BeritaAcaraContext(
        office=office or sample_office(),
        number="BA/021/TT-LKSA/2026" if final else None,
        date=date(2026, 11, 19),
        location="Jalan Runggu No. 8, Kelurahan Bintang, Kecamatan Sidikalang",
        case_reference=REGISTRATION,
        permit_type="Izin Teknis Lembaga Kesejahteraan Sosial (LKS) Asing",
        applicant=sample_applicant(),
        subject="Yayasan Harapan Anak Nusantara & Partners International",
        team=(
            TeamMember(
                "Ir. Gomgom Manurung", "Ketua", "Kabid Pelayanan, DPMPTSPK", "19750101 200003 1 004"
            ),
            TeamMember("Dra. Sondang Tambunan", "Anggota", "Dinas Sosial", "19800202 200501 2 001"),
            TeamMember(LONG_NAME, "Anggota", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak"),
        ),
        findings=(
            "Kantor lembaga berada di alamat yang tercantum dalam permohonan dan dalam "
            "keadaan aktif.",
            "Papan nama lembaga terpasang; terdapat 6 (enam) orang pengurus dan staf.",
            "Rencana kegiatan sesuai dengan proposal kerja sama yang diajukan.",
        ),
        conclusion="Tim Teknis merekomendasikan agar permohonan izin teknis dapat disetujui.",
        draft=not final,
        qr_payload="PRZ1|ba|BA/021/TT-LKSA/2026|b0a7b0a7" if final else None,
    )


def sample_skrd(office: OfficeProfile | None = None, *, final: bool = True) -> SkrdContext:
    office = office or sample_office()
    return SkrdContext(
        office=office,
        number="SKRD/0031/DPMPTSPK/2026" if final else None,
        date=date(2026, 11, 20),
        due_date=date(2026, 12, 20),
        applicant=sample_applicant(),
        retribution="Retribusi Perizinan Tertentu",
        items=(("Retribusi izin teknis LKS asing", 150_000),),
        signatory=office.head_signatory(),
        registration_number=REGISTRATION,
        account_code="4.1.02.03.01",
        npwrd="R.1211.2026.00031",
        period="2026",
        draft=not final,
        qr_payload="PRZ1|skrd|SKRD/0031/DPMPTSPK/2026|5c4d0031" if final else None,
    )


def sample_tanda_terima(office: OfficeProfile | None = None) -> TandaTerimaContext:
    return TandaTerimaContext(
        office=office or sample_office(),
        document_number=PERMIT_NUMBER,
        document_title="Surat Izin Teknis Lembaga Kesejahteraan Sosial Asing",
        recipient_name=LONG_NAME,
        date=datetime(2026, 11, 24, 14, 5),
        officer="Maria Magdalena Tampubolon",
        registration_number=REGISTRATION,
        recipient_note="Pemohon (NIK 1211014507900003)",
        qr_payload=f"PRZ1|izin|{PERMIT_NUMBER}|c0ffee42",
    )


def all_samples() -> dict[str, Any]:
    """One context per document and variant, keyed by a file-name-friendly name."""
    thermal = sample_office(resi_format="thermal")
    return {
        "resi": sample_resi(),
        "resi_thermal": sample_resi(thermal),
        "klarifikasi": sample_klarifikasi(),
        "klarifikasi_thermal": sample_klarifikasi(thermal),
        "disposisi": sample_disposisi(),
        "permintaan_rekomendasi": sample_recommendation_request(),
        "berita_acara": sample_berita_acara(),
        "skrd": sample_skrd(),
        "izin_draf": sample_permit(final=False),
        "izin": sample_permit(),
        "penolakan_draf": sample_rejection(final=False),
        "penolakan": sample_rejection(),
        "tanda_terima": sample_tanda_terima(),
        "izin_a4": sample_permit(sample_office(paper="A4")),
    }


def _shrink_png(path: Any) -> None:
    """A 64-colour palette: the samples are kept in the repository, a third of the size."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=64)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m desktop_perizinan.documents.samples OUT [DPI]``: PDF and PNG of each sample.

    The PNGs (page 1, via poppler's ``pdftoppm``) are what ``docs/documents/`` keeps so that a
    layout change shows up in review.
    """
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from desktop_perizinan.documents.pdf import render

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("pakai: python -m desktop_perizinan.documents.samples FOLDER [DPI]")
        return 2
    out = Path(args[0])
    dpi = args[1] if len(args) > 1 else "80"
    out.mkdir(parents=True, exist_ok=True)
    pdftoppm = shutil.which("pdftoppm")
    for name, ctx in all_samples().items():
        pdf_path = out / f"{name}.pdf"
        pdf_path.write_bytes(render(ctx))
        if pdftoppm:
            subprocess.run(
                [
                    pdftoppm,
                    "-r",
                    dpi,
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf_path),
                    str(out / name),
                ],
                check=True,
            )
            _shrink_png(out / f"{name}.png")
        print(name)
    if not pdftoppm:
        print("pdftoppm (poppler-utils) tidak ada: hanya PDF yang dibuat")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
