"""The ``[[steps]]`` of a permit-type file, read as far as they can be, so that the flow can
still be checked (and all problems reported in one run) when one field is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_perizinan.workflow.definition import (
    DOCUMENT_ACTIONS,
    Action,
    DocumentKind,
    OfficeConfig,
    Outcome,
    Step,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.flow_checks import check_targets
from desktop_perizinan.workflow.form_reader import IDENT, Reader, join_choices
from desktop_perizinan.workflow.office_file import OFFICE_FILE
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

_STEP_KEYS = (
    "id",
    "no",
    "name",
    "actor",
    "actor_label",
    "action",
    "document",
    "book",
    "inputs",
    "time",
    "output",
    "outcomes",
)


@dataclass
class ReadSteps:
    """The steps as far as they could be read.

    ``steps`` holds every step that has an id and outcomes, with stand-ins for fields that
    were wrong, so that the flow can still be checked (and its problems reported in the same
    run) while, say, one actor is misspelt. ``complete`` says no stand-in was needed.
    """

    steps: list[Step]
    shaped: bool  # every step has an id and outcomes: the graph is the file's graph
    complete: bool  # every field of every step is valid


def read_steps(r: Reader, data: Mapping[str, Any], office: OfficeConfig) -> ReadSteps:
    tables = r.table_list(data, (), "steps", required=True)
    if tables is None:
        return ReadSteps([], shaped=False, complete=False)
    if not tables:
        r.problem(("steps",), "belum ada langkah", "tambahkan bagian [[steps]]")
        return ReadSteps([], shaped=False, complete=False)
    result = ReadSteps([], shaped=True, complete=True)
    seen_ids: set[str] = set()
    seen_numbers: dict[int, str] = {}
    for index, table in enumerate(tables):
        step, complete = _read_step(r, table, index, office, seen_ids)
        if step is None:
            result.shaped = result.complete = False
            continue
        result.complete = result.complete and complete
        if complete and step.no in seen_numbers:
            r.warn(
                ("steps", index, "no"),
                f'nomor langkah {step.no} juga dipakai langkah "{seen_numbers[step.no]}"',
            )
        seen_numbers.setdefault(step.no, step.id)
        result.steps.append(step)
    if result.shaped:
        check_targets(r, result.steps)
    return result


def _read_step(
    r: Reader, table: Mapping[str, Any], index: int, office: OfficeConfig, seen_ids: set[str]
) -> tuple[Step | None, bool]:
    """One step and whether all of it was valid; ``None`` without a usable id or outcomes."""
    where: KeyPath = ("steps", index)
    what = f"langkah ke-{index + 1}"
    r.unknown_keys(table, where, _STEP_KEYS, what)
    step_id = r.text(table, where, "id", what=what)
    if step_id is not None:
        if not IDENT.match(step_id):
            r.problem(
                (*where, "id"),
                f'id langkah "{step_id}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            step_id = None
        elif step_id in seen_ids:
            r.problem(
                (*where, "id"),
                f'id langkah "{step_id}" dipakai dua kali',
                "beri setiap langkah id yang berbeda",
            )
            step_id = None
        else:
            seen_ids.add(step_id)
        what = f'langkah "{step_id}"' if step_id else what
    no = r.integer(table, where, "no", what=what)
    name = r.text(table, where, "name", what=what)
    actor = r.text(table, where, "actor", what=what)
    if actor is not None and actor not in office.roles:
        r.problem(
            (*where, "actor"),
            f'peran "{actor}" tidak dikenal',
            f"gunakan salah satu dari {join_choices(office.roles)} (lihat {OFFICE_FILE})",
        )
        actor = None
    actor_label = r.text(table, where, "actor_label", required=False)
    action_text = r.text(table, where, "action", what=what)
    action: Action | None = None
    if action_text is not None:
        try:
            action = Action(action_text)
        except ValueError:
            r.problem(
                (*where, "action"),
                f'jenis kegiatan "{action_text}" tidak dikenal',
                f"gunakan salah satu dari {join_choices(a.value for a in Action)}",
            )
    time_text = r.text(table, where, "time", what=what)
    time: Duration | None = None
    if time_text is not None:
        try:
            time = Duration.parse(time_text)
        except ValueError as exc:
            r.problem((*where, "time"), str(exc), 'tulis misalnya time = "2 Jam"')
    inputs = r.text(table, where, "inputs", required=False)
    output = r.text(table, where, "output", required=False)
    document = _read_document(r, table, where, action)
    book = r.text(table, where, "book", required=False, default="") or None
    if book is not None and action is not None and action is not Action.NUMBER:
        r.warn((*where, "book"), 'book diabaikan karena langkah ini bukan "penomoran"')
        book = None
    outcomes = _read_outcomes(r, table, where, what)

    values = (step_id, no, name, actor, actor_label, action, time, time_text, inputs, output)
    complete = all(v is not None for v in values) and document is not False
    if step_id is None or outcomes is None:
        return None, False
    return (
        Step(
            id=step_id,
            no=no if no is not None else index + 1,
            name=(name or "").strip(),
            actor=actor or "",
            action=action or Action.PROCESS,
            time=time or Duration(),
            time_text=(time_text or "").strip(),
            outcomes=tuple(outcomes),
            inputs=(inputs or "").strip(),
            output=(output or "").strip(),
            actor_label=(actor_label or "").strip(),
            document=document if isinstance(document, DocumentKind) else None,
            book=book,
            line=r.line(where),
        ),
        complete,
    )


def _read_document(
    r: Reader, table: Mapping[str, Any], where: KeyPath, action: Action | None
) -> DocumentKind | bool | None:
    """The document a step works on; ``False`` when that is a problem (already reported)."""
    kinds = join_choices(f'"{k.value}"' for k in DocumentKind)
    text = r.text(table, where, "document", required=False, default="")
    if text is None:
        return False
    if not text:
        if action in DOCUMENT_ACTIONS:
            r.problem(
                (*where, "action"),
                f'langkah "{action}" harus menyebut dokumen yang dikerjakan',
                f"tambahkan document = {kinds}",
            )
            return False
        return None
    try:
        kind = DocumentKind(text)
    except ValueError:
        r.problem((*where, "document"), f'dokumen "{text}" tidak dikenal', f"gunakan {kinds}")
        return False
    if action is not None and action not in DOCUMENT_ACTIONS:
        r.warn((*where, "document"), f'document diabaikan pada langkah "{action}"')
        return None
    return kind


def _read_outcomes(
    r: Reader, table: Mapping[str, Any], where: KeyPath, what: str
) -> list[Outcome] | None:
    example = 'outcomes = { selesai = "id_langkah_berikut" }'
    if "outcomes" not in table:
        r.problem(where, f"{what} tidak punya hasil (outcomes)", f"tambahkan {example}")
        return None
    value = table["outcomes"]
    path = (*where, "outcomes")
    if not isinstance(value, dict):
        r.wrong(path, "outcomes", value, "tabel { hasil = tujuan }", example)
        return None
    if not value:
        r.problem(path, f"{what} tidak punya hasil (outcomes kosong)", f"tulis {example}")
        return None
    outcomes: list[Outcome] = []
    ok = True
    for code, target in value.items():
        here = (*path, code)
        if not IDENT.match(code):
            r.problem(
                here,
                f'nama hasil "{code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, misalnya setuju, tidak_lengkap",
            )
            ok = False
        elif not isinstance(target, str):
            r.wrong(here, code, target, "teks (id langkah tujuan)", f'{code} = "id_langkah"')
            ok = False
        else:
            outcomes.append(Outcome(code, target.strip(), r.line(here)))
    return outcomes if ok else None
