"""The permit types the application ships: they load cleanly and say what their SOPs say.

These are the first three permit types every office gets; a broken one would greet a new
installation with an error, and a wrong time would print a wrong due date on every receipt.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop_perizinan.workflow.definition import (
    TARGET_APPLICANT,
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    DocumentKind,
    PermitType,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.loader import FormSet, load_forms, parse_permit_type
from desktop_perizinan.workflow.paths import format_duration, path_totals, service_total
from desktop_perizinan.workflow.placeholders import format_number

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"
STP = "PASURUAN-STP-LKS-ASING"
KESENIAN = "PASURUAN-NIK-KESENIAN"


@pytest.fixture(scope="module")
def forms() -> FormSet:
    return load_forms(FORMS_DIR)


def test_shipped_forms_load_without_problems(forms: FormSet) -> None:
    assert forms.problems == [], "\n".join(str(p) for p in forms.problems)
    assert forms.office is not None
    assert {DAIRI, STP, KESENIAN} <= set(forms.types)
    for pt in forms.types.values():
        assert pt.warnings == (), pt.warnings


@pytest.mark.parametrize(("code", "count"), [(DAIRI, 23), (STP, 7), (KESENIAN, 6)])
def test_step_counts_follow_the_sops(forms: FormSet, code: str, count: int) -> None:
    pt = forms.types[code]
    assert len(pt.steps) == count
    assert [s.no for s in pt.steps] == list(range(1, count + 1))


@pytest.mark.parametrize(
    ("code", "total"), [(STP, "8 Hari 90 menit"), (KESENIAN, "3 Hari 90 menit")]
)
def test_pasuruan_sums_equal_the_stated_totals(forms: FormSet, code: str, total: str) -> None:
    pt = forms.types[code]
    assert pt.declared_total == Duration.parse(total)
    assert service_total(pt) == Duration.parse(total)
    assert path_totals(pt) == {TARGET_ISSUED: Duration.parse(total)}  # no rejection letter


def test_dairi_has_both_endings(forms: FormSet) -> None:
    totals = path_totals(forms.types[DAIRI])
    # 1-8: 15 + 120 + 30 + 60 + 120 minutes and 3 + 2 + 3 days.
    # 16-23: 30 + 30 + 60 + 60 + 15 + 30 + 30 minutes and 1 day.
    assert totals[TARGET_ISSUED] == Duration(9, 345 + 255)
    # 9-15: 120 + 60 + 60 + 120 + 60 + 15 minutes and 1 day.
    assert totals[TARGET_REJECTED] == Duration(9, 345 + 435)
    assert format_duration(totals[TARGET_ISSUED]) == "9 Hari 10 Jam"


def test_pasuruan_step_times_are_as_written(forms: FormSet) -> None:
    assert [s.time_text for s in forms.types[STP].steps] == [
        "30 menit",
        "1 hari",
        "1 hari",
        "5 hari",
        "1 hari",
        "30 menit",
        "30 menit",
    ]
    assert [s.time_text for s in forms.types[KESENIAN].steps] == [
        "30 menit",
        "1 hari",
        "1 hari",
        "1 hari",
        "30 menit",
        "30 menit",
    ]


@pytest.mark.parametrize("code", [STP, KESENIAN])
def test_pasuruan_types_draft_sign_and_number_the_permit(forms: FormSet, code: str) -> None:
    pt = forms.types[code]
    assert pt.fee == 0 and pt.is_free
    assert pt.channels == ("daring", "loket")
    actions = [(s.action, s.document) for s in pt.steps]
    assert (Action.DRAFT, DocumentKind.PERMIT) in actions
    assert (Action.SIGN, DocumentKind.PERMIT) in actions
    last = pt.steps[-1]
    assert (last.action, last.document, last.book) == (
        Action.NUMBER,
        DocumentKind.PERMIT,
        pt.numbering.book,
    )
    assert [o.target for o in last.outcomes] == [TARGET_ISSUED]
    # Every "TIDAK" sends the file back to the applicant; nothing is rejected outright.
    targets = {o.target for s in pt.steps for o in s.outcomes}
    assert TARGET_APPLICANT in targets and TARGET_REJECTED not in targets
    assert all(s.actor_label for s in pt.steps)


def test_sop_actor_names_are_kept(forms: FormSet) -> None:
    labels = {s.actor_label: s.actor for s in forms.types[STP].steps}
    assert labels["Customer Service"] == "front_office"
    assert labels["Sub Koordinator PTSP II"] == "backoffice"
    assert labels["Dinas Sosial"] == "tim_teknis"
    assert labels["Koordinator PTSP II"] == "kabid"
    assert labels["Kepala DPMPTSP"] == "kadis"


def test_kesenian_old_number_is_only_for_renewal(forms: FormSet) -> None:
    pt = forms.types[KESENIAN]
    new = {r.code for r in pt.requirements_for(renewal=False)}
    renewal = {r.code for r in pt.requirements_for(renewal=True)}
    assert renewal - new == {"nik_lama"}
    assert pt.sop_number == "SOP / 33 / SM / 424.086 / 2022"
    fields = {f.key: f for f in pt.fields}
    assert fields["jenis_kesenian"].choices
    assert not fields["nomor_induk_lama"].required


def test_numbering_patterns_format(forms: FormSet) -> None:
    day = dt.date(2025, 3, 7)
    kesenian = forms.types[KESENIAN].numbering
    assert format_number(kesenian.pattern, 12, day) == "556/0012/NIK/424.086/2025"
    assert kesenian.yearly
    stp = forms.types[STP].numbering
    assert format_number(stp.pattern, 12, day) == "500.16/12/STP-LKSA/DPMPTSP"
    assert not stp.yearly


def test_reparsing_the_stored_text_gives_the_same_definition(forms: FormSet) -> None:
    """A running case keeps its definition's text; re-parsing it must give the same thing."""
    assert forms.office is not None
    for pt in forms.types.values():
        again: PermitType = parse_permit_type(pt.source_text, pt.source_file, forms.office)
        assert again == pt
        assert len(pt.source_hash) == 64
