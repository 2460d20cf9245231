"""The loader explains every mistake in a form file: which file, which line, how to fix it.

Each validation gets a small broken copy of a shipped file, written next to the office
configuration in a temporary folder and loaded the way the application loads it. The expected
line is looked up in the broken text itself, so the tests stay exact when the shipped files are
edited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from desktop_perizinan.errors import UserError
from desktop_perizinan.workflow.definition import (
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    OfficeConfig,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.loader import (
    FormFileError,
    FormProblem,
    load_forms,
    load_office,
    parse_office,
    parse_permit_type,
)
from desktop_perizinan.workflow.paths import FlowGraph, path_totals, service_total
from desktop_perizinan.workflow.placeholders import check_number_pattern, fill, format_number
from desktop_perizinan.workflow.toml_lines import LineIndex

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
OFFICE = "_kantor.toml"
DAIRI = "dairi-izin-teknis-lks-asing.toml"
KESENIAN = "pasuruan-nomor-induk-kesenian.toml"
STP = "pasuruan-stp-lks-asing.toml"
BROKEN = "rusak.toml"


# ---------------------------------------------------------------------- helpers


def shipped(name: str) -> str:
    return (FORMS_DIR / name).read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    """Replace the first ``old``; the test fails loudly if the shipped file changed under it."""
    assert old in text, f"not in the shipped file: {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, needle: str, after: str = "") -> int:
    """1-based line of the first ``needle`` (after the first ``after``, when given)."""
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(needle, start)) + 1


def load_broken(tmp_path: Path, text: str, name: str = BROKEN) -> list[FormProblem]:
    """Write ``text`` next to the real office config, load the folder, return its problems."""
    shutil.copy(FORMS_DIR / OFFICE, tmp_path / OFFICE)
    (tmp_path / name).write_text(text, encoding="utf-8")
    forms = load_forms(tmp_path)
    assert forms.office is not None
    assert forms.types == {}, "the broken file must not load"
    assert forms.problems, "a broken file must report a problem"
    assert {p.file for p in forms.problems} == {name}
    return forms.problems


def assert_problem(problems: list[FormProblem], line: int, fragment: str) -> FormProblem:
    for problem in problems:
        if fragment in problem.message and problem.line == line:
            assert problem.fix, f"no fix given: {problem}"
            return problem
    listed = "\n".join(str(p) for p in problems)
    raise AssertionError(f"no problem at line {line} containing {fragment!r} in:\n{listed}")


@pytest.fixture(scope="module")
def office() -> OfficeConfig:
    return load_office(FORMS_DIR / OFFICE)


# ---------------------------------------------------------------------- syntax and shape


def test_toml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'product = "Nomor Induk Kesenian"', "product = Nomor Induk")
    problems = load_broken(tmp_path, text)
    problem = assert_problem(problems, line_of(text, "product = Nomor"), "penulisan TOML salah")
    assert "nilai tidak sah" in problem.message
    assert str(problem).startswith(f"{BROKEN} baris {problem.line}: penulisan TOML salah")


def test_unterminated_string_is_explained(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'name = "KTP Ketua"', 'name = "KTP Ketua')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, 'name = "KTP Ketua'), "tidak ditutup")


def test_syntax_error_at_end_of_document_points_at_the_last_line(tmp_path: Path) -> None:
    text = shipped(KESENIAN).rstrip() + "\nextra = [\n\n"
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "extra = ["), "(di akhir berkas)")


def test_missing_required_top_level_key(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'product = "Nomor Induk Kesenian"\n', "")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, 0, 'kunci "product" wajib ada')


def test_missing_key_in_a_step_points_at_the_step(tmp_path: Path) -> None:
    text = shipped(KESENIAN)
    marker = 'id = "verifikasi"\n'
    block = text[text.index(marker) :]
    text = text.replace(block, block.replace('time = "1 hari"\n', "", 1), 1)
    problems = load_broken(tmp_path, text)
    header = line_of(text, "[[steps]]", after='id = "cek_kelengkapan"')
    assert_problem(problems, header, 'kunci "time" wajib ada pada langkah "verifikasi"')


def test_wrong_type(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "fee = 0", 'fee = "Gratis"')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, 'fee = "Gratis"'), '"fee" harus berupa bilangan bulat')


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'actor_label = "Customer Service"', 'actor_lable = "CS"')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "actor_lable"), 'kunci "actor_lable" tidak dikenal')


def test_steps_must_be_an_array_of_tables(tmp_path: Path) -> None:
    text = shipped(KESENIAN)
    text = edit(text[: text.index("[[steps]]")], "fee = 0\n", 'fee = 0\nsteps = "semua"\n')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, 'steps = "semua"'), '"steps" harus berupa')


# ---------------------------------------------------------------------- steps


def test_unknown_role(tmp_path: Path) -> None:
    text = edit(shipped(DAIRI), 'actor = "kabid"', 'actor = "kabag"')
    problems = load_broken(tmp_path, text)
    problem = assert_problem(
        problems, line_of(text, 'actor = "kabag"'), 'peran "kabag" tidak dikenal'
    )
    assert "front_office, backoffice" in problem.fix
    assert str(problem) == (
        f'{BROKEN} baris {problem.line}: peran "kabag" tidak dikenal. Perbaikan: {problem.fix}'
    )


def test_unknown_action(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'action = "verifikasi"', 'action = "periksa"')
    problems = load_broken(tmp_path, text)
    problem = assert_problem(
        problems, line_of(text, 'action = "periksa"'), 'jenis kegiatan "periksa" tidak dikenal'
    )
    assert "pengajuan" in problem.fix


def test_duplicate_step_id(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'id = "verifikasi"', 'id = "cek_kelengkapan"')
    problems = load_broken(tmp_path, text)
    second = line_of(text, 'id = "cek_kelengkapan"\nno = 3')
    assert_problem(problems, second, 'id langkah "cek_kelengkapan" dipakai dua kali')


def test_unreadable_time_uses_the_duration_message(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'time = "1 hari"', 'time = "satu hari"')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "satu hari"), 'waktu "satu hari" tidak terbaca')


def test_outcome_leading_nowhere(tmp_path: Path) -> None:
    text = edit(shipped(DAIRI), 'setuju = "rekomendasi_diterima"', 'setuju = "rekomendasi_terima"')
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'setuju = "rekomendasi_terima"'),
        'hasil "setuju" menuju "rekomendasi_terima" yang tidak ada (tidak menuju ke mana pun)',
    )


def test_outcome_on_a_table_of_its_own_has_its_line(tmp_path: Path) -> None:
    """``[steps.outcomes]`` below a step is valid TOML too; its keys get their own lines."""
    text = edit(
        shipped(KESENIAN),
        'outcomes = { benar = "verifikasi_ba", tidak_benar = "@pemohon" }',
        '[steps.outcomes]\nbenar = "verifikasi_bax"\ntidak_benar = "@pemohon"',
    )
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, 'benar = "verifikasi_bax"'), "tidak menuju ke mana pun")


def test_step_without_outcomes(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'outcomes = { diterima = "cek_kelengkapan" }\n', "")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "[[steps]]"), 'langkah "daftar" tidak punya hasil')


def test_step_nobody_reaches(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'lengkap = "verifikasi"', 'lengkap = "verifikasi_ba"')
    problems = load_broken(tmp_path, text)
    header = line_of(text, "[[steps]]", after='id = "cek_kelengkapan"')
    assert_problem(problems, header, 'langkah "verifikasi" (no 3) tidak dapat dicapai')


def test_trap_step_never_reaches_an_ending(tmp_path: Path) -> None:
    text = edit(shipped(DAIRI), 'diserahkan = "terima_penolakan"', 'diserahkan = "@pemohon"')
    problems = load_broken(tmp_path, text)
    header = line_of(text, "[[steps]]", after='id = "nomor_penolakan"')
    # terima_penolakan is now unreachable, and kirim_penolakan only loops back to the applicant.
    assert_problem(problems, header, 'dari langkah "kirim_penolakan" (no 14) berkas tidak pernah')
    assert_problem(
        problems,
        line_of(text, "[[steps]]", after='id = "kirim_penolakan"'),
        'langkah "terima_penolakan" (no 15) tidak dapat dicapai',
    )


def test_no_path_to_issue(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'dinomori = "@terbit"', 'dinomori = "@ditolak"')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "[[steps]]"), 'menuju "@terbit": izin tidak akan')


def test_permit_issued_without_a_number(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'ditandatangani = "terbitkan"', 'ditandatangani = "@terbit"')
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'ditandatangani = "@terbit"'),
        'hasil "ditandatangani" langkah "tanda_tangan" menerbitkan izin yang belum diberi nomor',
    )


# ---------------------------------------------------------------------- documents and books


def test_document_step_without_document(tmp_path: Path) -> None:
    text = shipped(KESENIAN)
    block_start = text.index('id = "tanda_tangan"')
    head, tail = text[:block_start], text[block_start:]
    text = head + tail.replace('document = "izin"\n', "", 1)
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'action = "tanda_tangan"'),
        'langkah "tanda_tangan" harus menyebut dokumen',
    )


def test_document_without_a_draft(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'action = "draf"', 'action = "verifikasi"')
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'document = "izin"', after='id = "tanda_tangan"'),
        'dokumen "izin" dipakai langkah "tanda_tangan" tetapi tidak ada langkah draf',
    )


def test_unknown_numbering_book_on_a_step(tmp_path: Path) -> None:
    text = edit(shipped(DAIRI), 'book = "surat_keluar"', 'book = "surat_masuk"')
    problems = load_broken(tmp_path, text)
    problem = assert_problem(problems, line_of(text, 'book = "surat_masuk"'), 'buku "surat_masuk"')
    assert "surat_keluar" in problem.fix and "izin_lks_asing" in problem.fix


def test_numbering_pattern_without_counter(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "556/{urut:04}/NIK", "556/NIK")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, 'pattern = "556/NIK'), "tidak memuat {urut}")


def test_numbering_pattern_with_unknown_placeholder(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "/{tahun}", "/{thn}")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "{thn}"), "isian yang tidak dikenal: {thn}")


def test_numbering_book_clashing_with_an_office_book(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'book = "nomor_induk_kesenian"', 'book = "surat_keluar"')
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems, line_of(text, 'book = "surat_keluar"'), "sudah dipakai di _kantor.toml"
    )


def test_rejection_numbered_in_the_permit_book_is_a_warning(office: OfficeConfig) -> None:
    text = edit(shipped(DAIRI), 'book = "surat_keluar"\n', "")
    pt = parse_permit_type(text, DAIRI, office)
    header = line_of(text, "[[steps]]", after='id = "ttd_penolakan"')
    assert pt.warnings == (
        f"{DAIRI} baris {header}: surat penolakan akan dinomori di buku izin; biasanya memakai "
        "buku surat keluar kantor (tambahkan book = salah satu dari registrasi, surat_keluar)",
    )
    assert pt.step("nomor_penolakan").book == "izin_lks_asing"


# ---------------------------------------------------------------------- fields and wording


def test_unknown_field_type(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'type = "address"', 'type = "alamat"')
    problems = load_broken(tmp_path, text)
    problem = assert_problem(problems, line_of(text, 'type = "alamat"'), 'jenis isian "alamat"')
    assert "address" in problem.fix


def test_choice_field_without_choices(tmp_path: Path) -> None:
    text = shipped(KESENIAN)
    start = text.index("choices = [")
    text = text[:start] + text[text.index("\n", start) + 1 :]
    problems = load_broken(tmp_path, text)
    type_line = line_of(text, 'type = "choice"')
    assert_problem(problems, type_line, "isian pilihan (choice) tidak punya daftar pilihan")


def test_duplicate_field_key(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'key = "nama_ketua"', 'key = "nama_kelompok"')
    problems = load_broken(tmp_path, text)
    second = line_of(text, 'key = "nama_kelompok"', after='key = "jenis_kesenian"')
    assert_problem(problems, second, 'kunci isian "nama_kelompok" dipakai dua kali')


def test_field_key_clashing_with_a_builtin(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'key = "nama_ketua"', 'key = "nomor"')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, 'key = "nomor"'), "sudah dipakai aplikasi")


def test_duplicate_requirement_code(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'code = "susunan_pengurus"', 'code = "ktp_ketua"')
    problems = load_broken(tmp_path, text)
    second = line_of(text, 'code = "ktp_ketua"', after='code = "surat_keterangan_desa"')
    assert_problem(problems, second, 'kode persyaratan "ktp_ketua" dipakai dua kali')


def test_unknown_placeholder_points_at_its_line_in_the_body(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "Jenis kesenian: {jenis_kesenian}", "Jenis: {jenis_seni}")
    problems = load_broken(tmp_path, text)
    problem = assert_problem(
        problems, line_of(text, "{jenis_seni}"), 'isian "{jenis_seni}" pada permit_body'
    )
    assert "jenis_kesenian" in problem.fix


def test_format_spec_in_wording(tmp_path: Path) -> None:
    text = edit(
        shipped(KESENIAN), "Jumlah anggota: {jumlah_anggota}", "Jumlah: {jumlah_anggota:03}"
    )
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "{jumlah_anggota:03}"), "memakai format")


def test_optional_field_in_wording_is_a_warning(office: OfficeConfig) -> None:
    text = edit(shipped(KESENIAN), "Ketua: {nama_ketua}", "Ketua: {nama_ketua} {tahun_berdiri}")
    pt = parse_permit_type(text, KESENIAN, office)
    assert len(pt.warnings) == 1
    assert '"{tahun_berdiri}" yang tidak wajib diisi' in pt.warnings[0]
    assert pt.warnings[0].startswith(f"{KESENIAN} baris {line_of(text, 'permit_body')}: ")


def test_reason_placeholder_only_in_rejection(tmp_path: Path) -> None:
    text = edit(
        shipped(KESENIAN), 'permit_title = "NOMOR INDUK KESENIAN"', 'permit_title = "{alasan}"'
    )
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "permit_title"), "hanya tersedia pada surat penolakan")


def test_unpaired_brace_in_wording(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "Nomor Induk Kesenian {nomor}", "Nomor Induk Kesenian {nomor")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "permit_body"), "tidak berpasangan")


# ---------------------------------------------------------------------- fee, channels, total


def test_fee_without_payment_step(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "fee = 0", "fee = 50000")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "fee = 50000"), "tidak ada langkah pembayaran")


def test_negative_fee(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), "fee = 0", "fee = -5")
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "fee = -5"), "biaya tidak boleh negatif")


def test_unknown_channel(tmp_path: Path) -> None:
    text = edit(
        shipped(KESENIAN), 'channels = ["daring", "loket"]', 'channels = ["daring",\n  "pos"]'
    )
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, '"pos"'), 'jalur pengajuan "pos" tidak dikenal')


def test_declared_total_that_does_not_add_up(tmp_path: Path) -> None:
    text = edit(shipped(STP), 'total = "8 Hari 90 menit"', 'total = "8 Hari"')
    problems = load_broken(tmp_path, text)
    problem = assert_problem(
        problems, line_of(text, 'total = "8 Hari"'), "jumlah waktu yang tertulis"
    )
    assert "(8 Hari)" in problem.message and "8 Hari 90 Menit" in problem.message
    assert 'total = "8 Hari 90 Menit"' in problem.fix


def test_step_time_that_breaks_the_total(tmp_path: Path) -> None:
    text = edit(shipped(STP), 'time = "5 hari"', 'time = "4 hari"')
    problems = load_broken(tmp_path, text)
    assert_problem(problems, line_of(text, "total ="), "berbeda dengan jumlah waktu")


# ---------------------------------------------------------------------- paraf chain


def test_paraf_not_in_ascending_rank(tmp_path: Path) -> None:
    text = shipped(DAIRI)
    start = text.index('id = "paraf_izin_kabid"')
    text = text[:start] + text[start:].replace('actor = "kabid"', 'actor = "kadis"', 1)
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'actor = "sekretaris"', after='id = "paraf_izin_sekretaris"'),
        'urutan paraf "izin" salah: "sekretaris" (rank 3) memaraf setelah "kadis" (rank 4)',
    )


def test_more_than_three_initials(tmp_path: Path) -> None:
    text = shipped(DAIRI)
    start = text.index('id = "ttd_izin"')
    text = text[:start] + text[start:].replace('action = "tanda_tangan"', 'action = "paraf"', 1)
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'actor = "kadis"', after='id = "ttd_izin"'),
        'langkah "ttd_izin" adalah paraf ke-4',
    )


def test_paraf_by_a_role_without_rank(tmp_path: Path) -> None:
    text = shipped(DAIRI)
    start = text.index('id = "paraf_izin_kabid"')
    text = text[:start] + text[start:].replace('actor = "kabid"', 'actor = "ksb_umum"', 1)
    problems = load_broken(tmp_path, text)
    assert_problem(
        problems,
        line_of(text, 'actor = "ksb_umum"', after='id = "paraf_izin_kabid"'),
        'peran "ksb_umum" tidak punya rank',
    )


# ---------------------------------------------------------------------- all at once, folders


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = shipped(KESENIAN)
    text = edit(text, "fee = 0", "fee = -1")
    text = edit(text, 'actor = "kadis"', 'actor = "bupati"')
    text = edit(text, 'time = "30 menit"', 'time = "sebentar"')
    text = edit(text, 'type = "address"', 'type = "alamat"')
    text = edit(text, 'lengkap = "verifikasi"', 'lengkap = "verifikasi_ba"')
    problems = load_broken(tmp_path, text)
    messages = " | ".join(p.message for p in problems)
    for fragment in ("negatif", '"bupati"', "sebentar", '"alamat"', "tidak dapat dicapai"):
        assert fragment in messages


def test_parse_raises_a_user_error_carrying_the_problems(office: OfficeConfig) -> None:
    text = edit(shipped(KESENIAN), "fee = 0", "fee = -1")
    with pytest.raises(FormFileError) as info:
        parse_permit_type(text, KESENIAN, office)
    assert isinstance(info.value, UserError)
    assert [p.file for p in info.value.problems] == [KESENIAN]
    assert str(info.value) == str(info.value.problems[0])


def test_broken_file_next_to_good_ones(tmp_path: Path) -> None:
    for name in (OFFICE, DAIRI, KESENIAN, STP):
        shutil.copy(FORMS_DIR / name, tmp_path / name)
    (tmp_path / "zz-rusak.toml").write_text(
        edit(shipped(KESENIAN), 'code = "PASURUAN-NIK-KESENIAN"', 'code = "X"\nkode = 1'),
        encoding="utf-8",
    )
    (tmp_path / "_catatan.toml").write_text("bukan = [jenis izin", encoding="utf-8")
    forms = load_forms(tmp_path)
    assert set(forms.types) == {
        "DAIRI-LKS-ASING",
        "PASURUAN-NIK-KESENIAN",
        "PASURUAN-STP-LKS-ASING",
    }
    assert {p.file for p in forms.problems} == {"zz-rusak.toml"}


def test_duplicate_codes_across_files(tmp_path: Path) -> None:
    shutil.copy(FORMS_DIR / OFFICE, tmp_path / OFFICE)
    shutil.copy(FORMS_DIR / KESENIAN, tmp_path / KESENIAN)
    copy = edit(shipped(KESENIAN), 'book = "nomor_induk_kesenian"', 'book = "kesenian_2"')
    (tmp_path / "salinan.toml").write_text(copy, encoding="utf-8")
    forms = load_forms(tmp_path)
    assert list(forms.types) == ["PASURUAN-NIK-KESENIAN"]
    assert forms.types["PASURUAN-NIK-KESENIAN"].source_file == KESENIAN
    assert_problem(forms.problems, line_of(copy, "code ="), f"sudah dipakai oleh {KESENIAN}")


def test_missing_office_file_is_a_problem_for_every_type(tmp_path: Path) -> None:
    shutil.copy(FORMS_DIR / KESENIAN, tmp_path / KESENIAN)
    shutil.copy(FORMS_DIR / STP, tmp_path / STP)
    forms = load_forms(tmp_path)
    assert forms.office is None and forms.types == {}
    assert {p.file for p in forms.problems} == {OFFICE, KESENIAN, STP}
    assert all(p.line == 0 for p in forms.problems)


def test_missing_folder(tmp_path: Path) -> None:
    forms = load_forms(tmp_path / "tidak-ada")
    assert forms.office is None
    assert "tidak ditemukan" in forms.problems[0].message


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    shutil.copy(FORMS_DIR / OFFICE, tmp_path / OFFICE)
    (tmp_path / KESENIAN).write_bytes(b"\xef\xbb\xbf" + shipped(KESENIAN).encode("utf-8"))
    assert list(load_forms(tmp_path).types) == ["PASURUAN-NIK-KESENIAN"]


def test_windows_line_endings(tmp_path: Path) -> None:
    text = edit(shipped(KESENIAN), 'actor = "kadis"', 'actor = "kabag"')
    problems = load_broken(tmp_path, text.replace("\n", "\r\n"))
    assert_problem(problems, line_of(text, 'actor = "kabag"'), 'peran "kabag" tidak dikenal')
    (tmp_path / BROKEN).write_bytes(shipped(KESENIAN).replace("\n", "\r\n").encode("utf-8"))
    assert list(load_forms(tmp_path).types) == ["PASURUAN-NIK-KESENIAN"]


def test_parse_sets_the_source(office: OfficeConfig) -> None:
    text = shipped(KESENIAN)
    pt = parse_permit_type(text, "x.toml", office)
    assert (pt.source_file, pt.source_text) == ("x.toml", text)
    assert pt.source_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert pt.steps[0].line == line_of(text, "[[steps]]")
    assert pt.steps[0].outcomes[0].line == line_of(text, "outcomes = { diterima")


# ---------------------------------------------------------------------- office


def test_office_config() -> None:
    office = load_office(FORMS_DIR / OFFICE)
    assert office.roles["kabid"].rank == 2
    assert office.roles["front_office"].rank == 0
    assert office.hours[0] == (7 * 60 + 30, 16 * 60)
    assert office.hours[4] == (7 * 60 + 30, 16 * 60 + 30)
    assert office.hours[5] is None and office.hours[6] is None
    assert office.registration_book in office.books
    assert office.applicant_recorded_by == "front_office"


OFFICE_TEXT = """\
registration_book = "registrasi"
days_off = ["2025-01-02", "2024-12-31"]

[roles]
front_office = { name = "Loket" }
kabid = { name = "Kabid", rank = 2 }

[hours]
mon = "07:30-16:00"
tue = "07.30-16.00"
wed = "08:00-12:00"
thu = "07:30-16:00"
fri = "07:30-11:00"
sat = ""
sun = ""

[books.registrasi]
title = "Register"
pattern = "REG/{tahun}/{urut:05}"
"""


def test_office_parse_reads_days_off_and_dotted_hours() -> None:
    office = parse_office(OFFICE_TEXT)
    assert office.days_off == ("2024-12-31", "2025-01-02")
    assert office.hours[1] == (450, 960)
    assert office.books["registrasi"].yearly


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        ('wed = "08:00-12:00"', 'wed = "12:00-08:00"', "wed =", 'jam kerja Rabu "12:00-08:00"'),
        ('sun = ""\n', "", "[hours]", 'kunci "sun" wajib ada'),
        ("rank = 2", 'rank = "dua"', "rank =", '"rank" harus berupa bilangan bulat'),
        ('"2024-12-31"', '"31-12-2024"', "31-12-2024", "bukan tanggal yang sah"),
        ("{urut:05}", "{nomor}", "{nomor}", "tidak dikenal: {nomor}"),
        (
            'registration_book = "registrasi"',
            'registration_book = "reg"',
            "registration_book",
            'buku registrasi "reg"',
        ),
        (
            "[roles]",
            'applicant_recorded_by = "loket"\n[roles]',
            "applicant_recorded_by",
            'peran "loket"',
        ),
    ],
)
def test_office_problems(old: str, new: str, needle: str, fragment: str) -> None:
    text = edit(OFFICE_TEXT, old, new)
    with pytest.raises(FormFileError) as info:
        parse_office(text)
    assert_problem(info.value.problems, line_of(text, needle), fragment)
    assert all(p.file == OFFICE for p in info.value.problems)


def test_broken_office_file_reports_its_line_and_blocks_the_types(tmp_path: Path) -> None:
    text = edit(shipped(OFFICE), 'kabid = { name = "Kabid Pelayanan", rank = 2 }', "kabid = {")
    (tmp_path / OFFICE).write_text(text, encoding="utf-8")
    shutil.copy(FORMS_DIR / KESENIAN, tmp_path / KESENIAN)
    forms = load_forms(tmp_path)
    assert forms.office is None
    assert_problem(forms.problems, line_of(text, "kabid = {"), "penulisan TOML salah")
    assert_problem(forms.problems, 0, "_kantor.toml tidak ada atau rusak")


# ---------------------------------------------------------------------- paths and helpers


def test_path_totals_ignore_loops(office: OfficeConfig) -> None:
    pt = parse_permit_type(shipped(DAIRI), DAIRI, office)
    graph = FlowGraph.from_steps(pt.steps)
    assert ("paraf_izin_kabid", "draf_izin") in graph.backward
    assert ("ttd_penolakan", "draf_penolakan") in graph.backward
    assert set(path_totals(pt)) == {TARGET_ISSUED, TARGET_REJECTED}
    assert service_total(pt) == Duration(9, 600)


def test_path_totals_take_the_longest_branch() -> None:
    graph = FlowGraph.build(
        [
            ("a", Duration(0, 30), ["b", "c"]),
            ("b", Duration(1, 0), ["d"]),
            ("c", Duration(0, 600), ["d"]),  # 10 hours: longer than one working day
            ("d", Duration(0, 15), ["@terbit", "a"]),
        ]
    )
    assert graph.longest_to_terminals() == {TARGET_ISSUED: Duration(0, 645)}
    assert ("d", "a") in graph.backward


def test_penomoran_without_book_uses_the_permit_book(office: OfficeConfig) -> None:
    pt = parse_permit_type(shipped(DAIRI), DAIRI, office)
    numbering_steps = [s for s in pt.steps if s.action is Action.NUMBER]
    assert [s.book for s in numbering_steps] == ["surat_keluar", "izin_lks_asing"]


def test_line_index_paths() -> None:
    text = """\
# komentar dengan [[steps]] di dalamnya
code = "X"
body = \"\"\"
[[steps]]
id = "bukan"
\"\"\"
list = [
  "a",
  { k = 1 },
]

[[steps]]
id = "satu"
outcomes = { ok = "dua", "no pe" = "@pemohon" }

[[steps]]
id = "dua"
[steps.outcomes]
ok = "@terbit"
"""
    lines = LineIndex(text)
    assert lines.line_of(("code",)) == 2
    assert lines.line_of(("list", 1, "k")) == 9
    assert lines.line_of(("steps", 0)) == 12
    assert lines.line_of(("steps", 0, "outcomes", "no pe")) == 14
    assert lines.line_of(("steps", 1, "id")) == 17
    assert lines.line_of(("steps", 1, "outcomes", "ok")) == 19
    assert lines.line_of(("steps", 1, "name")) == 16  # falls back to the table header
    assert lines.line_of(("nothing",)) == 0


def test_number_patterns() -> None:
    assert check_number_pattern("503/{urut:03}/DPMPTSPK/{bulan_romawi}/{tahun}") is None
    assert "tidak memuat {urut}" in (check_number_pattern("503/{tahun}") or "")
    assert "tidak sah" in (check_number_pattern("503/{urut:q}") or "")
    assert (
        format_number("{urut:03}/{bulan_romawi}/{tahun}", 7, dt.date(2025, 11, 3)) == "007/XI/2025"
    )


def test_fill_leaves_missing_placeholders_visible() -> None:
    assert fill("{a} dan {b}", {"a": "satu"}) == "satu dan {b}"


def test_problem_without_line_names_the_file_only() -> None:
    assert (
        str(FormProblem("x.toml", 0, "berkas tidak ditemukan", ""))
        == "x.toml: berkas tidak ditemukan"
    )
