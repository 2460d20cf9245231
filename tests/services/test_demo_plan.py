"""The demo's plan is read from each permit type's steps, never from a step id it knows."""

from __future__ import annotations

from pathlib import Path

from desktop_perizinan.services.demo_plan import (
    INCOMPLETE_FILE,
    RETURNED_PARAF,
    can_stage_incomplete_file,
    plan_branches,
    rejection_choice,
    returned_paraf_choice,
    walk,
)
from desktop_perizinan.workflow.definition import TARGET_ISSUED, TARGET_REJECTED
from desktop_perizinan.workflow.loader import load_forms

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_types_plan_as_the_old_demo_ran_them():
    forms = load_forms(ROOT / "forms")
    types = list(forms.types.values())
    plans = plan_branches(types)
    dairi = plans["DAIRI-LKS-ASING"]
    assert [(b.name, b.scenarios) for b in dairi] == [
        ("izin", (RETURNED_PARAF,)),
        ("penolakan", ()),
    ]
    assert dairi[0].choices == {"paraf_izin_kabid": ["kembalikan", "paraf"]}
    assert dairi[1].choices == {"rekomendasi": ["tolak"]}
    assert [(b.name, b.scenarios) for b in plans["PASURUAN-NIK-KESENIAN"]] == [
        ("izin", (INCOMPLETE_FILE,))
    ]
    # The SOP has no rejection letter: only the permit path.
    assert [b.name for b in plans["PASURUAN-STP-LKS-ASING"]] == ["izin"]


def test_walks_follow_forward_outcomes_and_overrides():
    pt = load_forms(ROOT / "forms").types["DAIRI-LKS-ASING"]
    path, end = walk(pt, pt.first_step.id)
    assert end == TARGET_ISSUED and path[0] == "ajukan" and path[-1] == "terima_izin"
    assert "draf_penolakan" not in path
    rejected_path, rejected_end = walk(pt, pt.first_step.id, {"rekomendasi": "tolak"})
    assert rejected_end == TARGET_REJECTED and "draf_penolakan" in rejected_path
    # "@pemohon" is not an end.
    assert walk(pt, pt.first_step.id, {"periksa": "tidak_lengkap"})[1] is None


def test_a_type_without_completeness_check_or_paraf_gets_neither_scenario():
    forms = load_forms(ROOT / "tests" / "forms_demo")
    without = forms.types["UJI-TANPA-KELENGKAPAN"]
    with_check = forms.types["UJI-DENGAN-KELENGKAPAN"]
    assert not can_stage_incomplete_file(without)
    assert can_stage_incomplete_file(with_check)
    assert returned_paraf_choice(with_check) is None
    assert returned_paraf_choice(without) == ("paraf_izin", "kembalikan", "paraf")
    assert rejection_choice(without) == ("verifikasi", "tolak")
    assert rejection_choice(with_check) is None
