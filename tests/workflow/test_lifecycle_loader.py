"""Every order rule the services enforce on a document is refused by the loader, with the
file, the line of the offending step and a fix (issue 11); composite steps, SOP labels and
signing authority are read or refused the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_perizinan.workflow import lifecycle
from desktop_perizinan.workflow.definition import AUTHORITY_DIRECT, Action, DocumentKind
from desktop_perizinan.workflow.loader import (
    FormFileError,
    FormProblem,
    load_forms,
    load_office,
    parse_permit_type,
)

DIR = Path(__file__).resolve().parents[1] / "forms_lifecycle"
OFFICE = load_office(DIR / "_kantor.toml")
WET = (DIR / "uji-nomor-basah.toml").read_text(encoding="utf-8")
COMPOSITE = (DIR / "uji-loket-komposit.toml").read_text(encoding="utf-8")
FILE = "uji.toml"


def _outcomes(text: str, step_id: str, outcomes: str) -> str:
    """``text`` with the outcomes line of step ``step_id`` replaced."""
    lines = text.splitlines()
    start = lines.index(f'id = "{step_id}"')
    for index in range(start, len(lines)):
        if lines[index].startswith("outcomes = "):
            lines[index] = f"outcomes = {outcomes}"
            return "\n".join(lines) + "\n"
    raise AssertionError(step_id)


def _line_of(text: str, step_id: str, key: str) -> int:
    lines = text.splitlines()
    start = lines.index(f'id = "{step_id}"')
    for index in range(start, len(lines)):
        if lines[index].startswith(f"{key} = "):
            return index + 1
    raise AssertionError((step_id, key))


def _problems(text: str) -> list[FormProblem]:
    with pytest.raises(FormFileError) as caught:
        parse_permit_type(text, FILE, OFFICE)
    return caught.value.problems


def _refused(text: str, step_id: str, needle: str, key: str = "action") -> FormProblem:
    problems = _problems(text)
    line = _line_of(text, step_id, key)
    found = [p for p in problems if needle in p.message and p.line == line]
    assert found, [str(p) for p in problems]
    assert found[0].file == FILE and found[0].fix
    return found[0]


def test_the_test_types_pass_forms_check() -> None:
    forms = load_forms(DIR)
    assert forms.ok, [str(p) for p in forms.problems]
    assert set(forms.types) == {"UJI-NOMOR-BASAH", "UJI-NOMOR-TTE", "UJI-LOKET-KOMPOSIT"}
    for pt in forms.types.values():
        for step in pt.steps:
            assert step.actor in OFFICE.roles


def test_paraf_before_any_draft_is_refused() -> None:
    text = _outcomes(WET, "verifikasi", '{ benar = "paraf", tolak = "tolak" }')
    text = _outcomes(text, "paraf", '{ paraf = "draf", kembalikan = "verifikasi" }')
    text = _outcomes(text, "draf", '{ selesai = "nomor" }')
    problem = _refused(text, "paraf", "sebelum ada drafnya")
    assert "draf" in problem.fix


def test_number_before_any_draft_is_refused() -> None:
    text = _outcomes(WET, "verifikasi", '{ benar = "nomor", tolak = "tolak" }')
    text = _outcomes(text, "nomor", '{ dinomori = "draf" }')
    text = _outcomes(text, "draf", '{ selesai = "paraf" }')
    text = _outcomes(text, "paraf", '{ paraf = "ttd", kembalikan = "draf" }')
    _refused(text, "nomor", "sebelum ada drafnya")


def test_delivery_before_the_number_is_refused() -> None:
    text = _outcomes(WET, "paraf", '{ paraf = "ttd", kembalikan = "draf" }')
    text = _outcomes(text, "serah", '{ diserahkan = "nomor" }')
    text = _outcomes(text, "nomor", '{ dinomori = "terima" }')
    _refused(text, "serah", "belum diberi nomor")


def test_delivery_before_the_signature_is_refused() -> None:
    text = _outcomes(WET, "nomor", '{ dinomori = "serah" }')
    text = _outcomes(text, "serah", '{ diserahkan = "ttd" }')
    text = _outcomes(text, "ttd", '{ ditandatangani = "terima" }')
    _refused(text, "serah", "belum ditandatangani")


def test_receipt_before_delivery_is_refused() -> None:
    text = _outcomes(WET, "ttd", '{ ditandatangani = "terima" }')
    text = _outcomes(text, "terima", '{ diterima = "serah" }')
    text = _outcomes(text, "serah", '{ diserahkan = "@terbit" }')
    _refused(text, "terima", "belum diserahkan")


def test_paraf_after_the_signature_is_refused() -> None:
    text = _outcomes(WET, "draf", '{ selesai = "nomor" }')
    text = _outcomes(text, "ttd", '{ ditandatangani = "paraf" }')
    text = _outcomes(text, "paraf", '{ paraf = "serah", kembalikan = "draf" }')
    _refused(text, "paraf", "sudah ditandatangani")


def test_an_unsigned_permit_issued_is_refused() -> None:
    text = _outcomes(WET, "nomor", '{ dinomori = "serah", tanda = "ttd" }')
    text = _outcomes(text, "ttd", '{ ditandatangani = "@terbit" }')
    problems = _problems(text)
    line = _line_of(text, "terima", "outcomes")
    assert any(p.line == line and "menerbitkan izin" in p.message for p in problems)
    _refused(text, "serah", "belum ditandatangani")


def test_a_number_never_followed_or_preceded_by_a_signature_is_refused() -> None:
    text = _outcomes(WET, "nomor", '{ dinomori = "serah" }')
    text = _outcomes(text, "verifikasi", '{ benar = "draf", tolak = "tolak", lain = "ttd" }')
    problem = _refused(text, "nomor", "tidak ada langkah tanda_tangan sesudahnya")
    assert "tanda_tangan" in problem.fix


def test_a_composite_step_is_checked_in_its_written_order() -> None:
    text = WET.replace(
        'actions = ["draf", "tanda_tangan", "penomoran"]',
        'actions = ["penomoran", "draf", "tanda_tangan"]',
    )
    _refused(text, "tolak", "sebelum ada drafnya", key="actions")


def test_archive_before_the_number_is_refused() -> None:
    text = COMPOSITE.replace(
        'actions = ["penomoran", "arsip", "penyerahan"]',
        'actions = ["arsip", "penomoran", "penyerahan"]',
    )
    _refused(text, "serah", "belum diberi nomor", key="actions")


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            'actions = ["verifikasi", "disposisi"]',
            'actions = ["kelengkapan", "disposisi"]',
            "digabung",
        ),
        (
            'actions = ["verifikasi", "disposisi"]',
            'actions = ["verifikasi", "verifikasi"]',
            "dua kali",
        ),
        (
            'actions = ["verifikasi", "disposisi"]',
            'actions = ["verifikasi", "rapat"]',
            "tidak dikenal",
        ),
        ('actions = ["verifikasi", "disposisi"]', "actions = []", "kosong"),
        ('authority = "a.n."', 'authority = "atas nama"', "tidak dikenal"),
        ('on_behalf_of = "kadis"', 'on_behalf_of = "bupati"', "tidak dikenal"),
        ('on_behalf_of = "kadis"\n', "", "atas nama siapa"),
        ('no = "4a"', 'no = "4-a"', "tidak terbaca"),
        ('no = "4a"', "no = 4.5", "bilangan bulat atau teks"),
    ],
)
def test_bad_composite_labels_and_authority_are_refused(old: str, new: str, needle: str) -> None:
    assert old in COMPOSITE
    problems = _problems(COMPOSITE.replace(old, new, 1))
    assert any(needle in p.message and p.line > 0 and p.fix for p in problems), [
        str(p) for p in problems
    ]


def test_authority_on_a_step_that_does_not_sign_is_refused() -> None:
    text = COMPOSITE.replace(
        'actions = ["penyerahan", "penerimaan"]\ndocument = "penolakan"',
        'actions = ["penyerahan", "penerimaan"]\ndocument = "penolakan"\nauthority = "a.n."',
    )
    assert text != COMPOSITE
    problems = _problems(text)
    assert any("hanya berlaku pada langkah tanda_tangan" in p.message for p in problems)


def test_action_and_actions_together_are_refused() -> None:
    text = COMPOSITE.replace(
        'actions = ["verifikasi", "disposisi"]',
        'action = "verifikasi"\nactions = ["verifikasi", "disposisi"]',
    )
    problems = _problems(text)
    assert any('"action" dan "actions"' in p.message for p in problems)


def test_labels_composites_and_authority_are_read() -> None:
    forms = load_forms(DIR)
    wet = forms.types["UJI-NOMOR-BASAH"]
    assert [s.label for s in wet.steps] == [
        "1", "2", "3", "3a", "5", "7", "8", "10", "11", "3b", "3c",
    ]  # fmt: skip
    assert f"Langkah {wet.step('draf').no}" == "Langkah 3a" and int(wet.step("draf").no) == 3
    tolak = wet.step("tolak")
    assert tolak.actions == (Action.DRAFT, Action.SIGN, Action.NUMBER)
    assert tolak.action is Action.SIGN  # the signing screen serves the composite row
    assert wet.step("ttd").authority == AUTHORITY_DIRECT
    tte = forms.types["UJI-NOMOR-TTE"].step("tte")
    assert (tte.authority, tte.on_behalf_of) == ("a.n.", "kadis")
    composite = forms.types["UJI-LOKET-KOMPOSIT"].step("serah")
    assert composite.action is Action.DELIVERY
    assert composite.actions == (Action.NUMBER, Action.ARCHIVE, Action.DELIVERY)


def test_the_file_order_decides_number_then_sign_or_sign_then_number() -> None:
    forms = load_forms(DIR)
    wet = forms.types["UJI-NOMOR-BASAH"]
    assert lifecycle.signature_follows(wet.steps, wet.step("nomor")) == wet.step("ttd")
    composite = forms.types["UJI-LOKET-KOMPOSIT"]
    assert lifecycle.signature_follows(composite.steps, composite.step("serah")) is None
    assert lifecycle.numbering_after(composite.steps, composite.step("ttd")) == composite.step(
        "serah"
    )
    tolak = wet.step("tolak")
    assert lifecycle.numbering_after(wet.steps, tolak) == tolak


def test_the_runtime_refusals_are_the_loaders_rules() -> None:
    events = lifecycle.Event
    assert "Belum ada draf izin" in (lifecycle.refusal(Action.PARAF, DocumentKind.PERMIT, ()) or "")
    done = {events.DRAFTED, events.SIGNED}
    assert "paraf tidak dapat" in (lifecycle.refusal(Action.PARAF, DocumentKind.PERMIT, done) or "")
    assert "belum bernomor" in (lifecycle.refusal(Action.DELIVERY, DocumentKind.PERMIT, done) or "")
    done = {events.DRAFTED, events.NUMBERED}
    assert "belum ditandatangani" in (
        lifecycle.refusal(Action.DELIVERY, DocumentKind.PERMIT, done) or ""
    )
    assert lifecycle.refusal(Action.SIGN, DocumentKind.PERMIT, done) is None
    assert "ekspedisi" in (lifecycle.refusal(Action.HANDOVER, DocumentKind.PERMIT, done) or "")


def test_the_shipped_types_still_load_unchanged() -> None:
    shipped = load_forms(Path(__file__).resolve().parents[2] / "forms")
    assert shipped.ok, [str(p) for p in shipped.problems]
    assert len(shipped.types) == 3
    for pt in shipped.types.values():
        assert all(s.actions == (s.action,) for s in pt.steps)
        assert all(str(s.no) == str(int(s.no)) for s in pt.steps)


def test_the_matrix_prints_the_sop_labels_unchanged() -> None:
    import io

    from pypdf import PdfReader

    from desktop_perizinan.documents.sop_matrix import render_sop_matrix
    from desktop_perizinan.services.settings import DEFAULT_PROFILE

    forms = load_forms(DIR)
    assert forms.office is not None
    pt = forms.types["UJI-NOMOR-BASAH"]
    pdf = render_sop_matrix(pt, forms.office, DEFAULT_PROFILE)
    words = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split()
    for label in ("3a", "3b", "3c", "10", "11"):
        assert label in words, label
