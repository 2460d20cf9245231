"""The demo office's people, applicants and sample values: data only, shared by the demo
scenario (``services.demo``), the screenshots and the tests."""

from __future__ import annotations

from dataclasses import dataclass, replace

from desktop_perizinan.services.settings import DEFAULT_PROFILE
from desktop_perizinan.workflow.definition import FieldType, PermitType

DEMO_PASSWORD = "rahasia123"

#: (username, full name, roles, NIP, rank, title)
DEMO_USERS: tuple[tuple[str, str, frozenset[str], str, str, str], ...] = (
    ("admin", "Administrator Sistem", frozenset({"admin"}), "", "", "Administrator"),
    (
        "loket",
        "Rina Simanjuntak",
        frozenset({"front_office"}),
        "199003152015032004",
        "Pengatur (II/c)",
        "Petugas Front Office",
    ),
    (
        "seksi",
        "Hotman Sitorus, S.E.",
        frozenset({"backoffice"}),
        "198205122009011003",
        "Penata (III/c)",
        "Kepala Seksi Pelayanan II",
    ),
    (
        "teknis",
        "Ir. Lestari Boangmanalu",
        frozenset({"tim_teknis"}),
        "197911042006042008",
        "Penata Tingkat I (III/d)",
        "Ketua Tim Teknis",
    ),
    (
        "kabid",
        "Dra. Marlina Sinaga",
        frozenset({"kabid"}),
        "197507191998032005",
        "Pembina (IV/a)",
        "Kepala Bidang Pelayanan",
    ),
    (
        "sekretaris",
        "Jonner Tamba, S.H.",
        frozenset({"sekretaris"}),
        "197303031997031004",
        "Pembina Tingkat I (IV/b)",
        "Sekretaris",
    ),
    (
        "kadis",
        "Drs. Marisi Sianturi, M.Si",
        frozenset({"kadis"}),
        "196511151986021002",
        "Pembina Utama Muda (IV/c)",
        "Kepala Dinas",
    ),
    (
        "umum",
        "Tiurma Pasaribu",
        frozenset({"ksb_umum"}),
        "198408082010012011",
        "Penata Muda Tingkat I (III/b)",
        "Kasubbag Umum",
    ),
)

DEMO_PROFILE = replace(
    DEFAULT_PROFILE,
    head_name="Drs. MARISI SIANTURI, M.Si",
    head_rank="Pembina Utama Muda",
    head_nip="19651115 198602 1 002",
)


#: Names for the demo users of roles the office file declares beyond the ones above.
GENERIC_NAMES = (
    ("Sahat Manurung, S.Sos", "198611232011011005", "Penata Muda Tingkat I (III/b)"),
    ("Dewi Anggraini, S.AP", "199102052015032006", "Penata Muda (III/a)"),
    ("Rudi Hartono, S.T.", "198309172010011009", "Penata (III/c)"),
    ("Maria Ulfa Nasution", "199407212019032012", "Pengatur (II/c)"),
    ("Agus Salim Harahap, S.H.", "197812302005011004", "Penata Tingkat I (III/d)"),
)


# A tiny valid PDF and PNG: what a scanner would give, checked by content.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def sample_field_values(pt: PermitType, seed: int = 0) -> dict[str, str]:
    """Plausible values for every field of a permit type."""
    values: dict[str, str] = {}
    for spec in pt.fields:
        match spec.type:
            case FieldType.CHOICE:
                values[spec.key] = spec.choices[seed % len(spec.choices)]
            case FieldType.NUMBER:
                values[spec.key] = str(12 + seed)
            case FieldType.DATE:
                values[spec.key] = "2026-01-15"
            case FieldType.DATE_OR_LIFETIME:
                values[spec.key] = spec.lifetime if seed % 2 == 0 else "2031-12-31"
            case FieldType.NPWP:
                values[spec.key] = "01.234.567.8-912.000"
            case FieldType.NIB:
                values[spec.key] = "9120001234567"
            case FieldType.PHONE:
                values[spec.key] = "0627 21345"
            case FieldType.NIK:
                values[spec.key] = "1211034508900003"
            case FieldType.ADDRESS:
                values[spec.key] = f"Jl. Pahlawan No. {10 + seed}, Sidikalang"
            case _:
                values[spec.key] = _TEXT_SAMPLES.get(spec.key, f"{spec.label} contoh {seed + 1}")
    return values


_TEXT_SAMPLES = {
    "nama_lembaga": "Yayasan Kasih Anak Nusantara (Stichting Kinderhulp)",
    "negara_asal": "Belanda",
    "mitra_lokal": "Yayasan Pelita Dairi",
    "nama_kelompok": "Sanggar Tari Bunga Tanjung",
    "nama_organisasi": "Yayasan Peduli Sesama Internasional",
}


@dataclass
class DemoApplicant:
    nik: str
    name: str
    address: str
    phone: str


DEMO_APPLICANTS = (
    DemoApplicant(
        "1211034508900003",
        "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien",
        "Jl. Sisingamangaraja No. 45, Sidikalang",
        "081234567890",
    ),
    DemoApplicant(
        "1211031203850001", "Benget Tua Simamora", "Desa Bintang Hulu, Sidikalang", "082167788990"
    ),
    DemoApplicant(
        "3514022011800002", "Yohanes Kristiawan", "Jl. Raya Raci Km. 9, Pasuruan", "081331234567"
    ),
    DemoApplicant(
        "3514024407920004", "Siti Maimunah", "Dusun Krajan, Bangil, Pasuruan", "085233445566"
    ),
)
