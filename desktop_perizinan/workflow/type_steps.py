"""The ``[[steps]]`` of a permit-type file, read as far as they can be, so that the flow can
still be checked (and all problems reported in one run) when one field is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_perizinan.workflow.definition import (
    AUTHORITIES,
    AUTHORITY_DIRECT,
    DOCUMENT_ACTIONS,
    FORM_PRIORITY,
    Action,
    DocumentKind,
    OfficeConfig,
    Outcome,
    Step,
    StepNo,
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
    "actions",
    "document",
    "book",
    "inputs",
    "time",
    "output",
    "outcomes",
    "authority",
    "on_behalf_of",
)
#: Actions with a screen of their own at the counter: never part of a composite row.
_ALONE = frozenset({Action.SUBMISSION, Action.COMPLETENESS, Action.RECEIPT, Action.PAYMENT})
#: An SOP label: digits, optionally followed by letters or dots ("3", "3a", "10.1").
_LABEL = re.compile(r"^(\d{1,4})([A-Za-z.]?[A-Za-z0-9.]{0,6})$")


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
    seen_numbers: dict[str, str] = {}
    for index, table in enumerate(tables):
        step, complete = _read_step(r, table, index, office, seen_ids)
        if step is None:
            result.shaped = result.complete = False
            continue
        result.complete = result.complete and complete
        if complete and step.label in seen_numbers:
            r.warn(
                ("steps", index, "no"),
                f'nomor langkah {step.label} juga dipakai langkah "{seen_numbers[step.label]}"',
            )
        seen_numbers.setdefault(step.label, step.id)
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
    no = _read_no(r, table, where, what)
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
    actions = _read_actions(r, table, where, what)
    action = _primary(actions) if actions else None
    time_text = r.text(table, where, "time", what=what)
    time: Duration | None = None
    if time_text is not None:
        try:
            time = Duration.parse(time_text)
        except ValueError as exc:
            r.problem((*where, "time"), str(exc), 'tulis misalnya time = "2 Jam"')
    inputs = r.text(table, where, "inputs", required=False)
    output = r.text(table, where, "output", required=False)
    document = _read_document(r, table, where, actions)
    book = r.text(table, where, "book", required=False, default="") or None
    if book is not None and actions and Action.NUMBER not in actions:
        r.warn((*where, "book"), 'book diabaikan karena langkah ini bukan "penomoran"')
        book = None
    authority = _read_authority(r, table, where, actions, office)
    outcomes = _read_outcomes(r, table, where, what)

    values = (step_id, no, name, actor, actor_label, action, time, time_text, inputs, output)
    values += (authority,)
    complete = all(v is not None for v in values) and document is not False
    if step_id is None or outcomes is None:
        return None, False
    return (
        Step(
            id=step_id,
            no=no if no is not None else StepNo(index + 1),
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
            actions=tuple(actions or ()),
            authority=authority[0] if authority else AUTHORITY_DIRECT,
            on_behalf_of=authority[1] if authority else "",
        ),
        complete,
    )


def _read_no(r: Reader, table: Mapping[str, Any], where: KeyPath, what: str) -> StepNo | None:
    """The SOP's own number of the row: ``no = 3`` or ``no = "3a"``, printed as written."""
    if "no" not in table:
        r.missing(where, "no", 'tambahkan baris no = 1 (atau no = "3a")', what)
        return None
    value = table["no"]
    if isinstance(value, int) and not isinstance(value, bool):
        return StepNo(value)
    if isinstance(value, str):
        match = _LABEL.match(value.strip())
        if match:
            return StepNo(int(match.group(1)), value.strip())
        r.problem(
            (*where, "no"),
            f'nomor langkah "{value}" tidak terbaca',
            'tulis nomor seperti pada SOP: angka, boleh diikuti huruf, misalnya no = "3a"',
        )
        return None
    r.wrong((*where, "no"), "no", value, "bilangan bulat atau teks", 'no = 3 atau no = "3a"')
    return None


def _read_actions(
    r: Reader, table: Mapping[str, Any], where: KeyPath, what: str
) -> list[Action] | None:
    """``action = "x"`` or, for one SOP row doing several things, ``actions = ["x", "y"]``."""
    known = join_choices(a.value for a in Action)
    if "action" in table and "actions" in table:
        r.problem(
            (*where, "actions"),
            'langkah menulis "action" dan "actions" sekaligus',
            'tulis satu kegiatan dengan action = "...", atau beberapa dengan actions = [...]',
        )
        return None
    if "actions" not in table:
        text = r.text(table, where, "action", what=what)
        if text is None:
            return None
        try:
            return [Action(text)]
        except ValueError:
            r.problem(
                (*where, "action"),
                f'jenis kegiatan "{text}" tidak dikenal',
                f"gunakan salah satu dari {known}",
            )
            return None
    texts = r.text_list(table, where, "actions")
    if texts is None:
        return None
    if not texts:
        r.problem((*where, "actions"), "daftar kegiatan kosong", 'tulis actions = ["..."]')
        return None
    result: list[Action] = []
    for index, text in enumerate(texts):
        try:
            action = Action(text)
        except ValueError:
            r.problem(
                (*where, "actions", index),
                f'jenis kegiatan "{text}" tidak dikenal',
                f"gunakan salah satu dari {known}",
            )
            return None
        if action in result:
            r.problem(
                (*where, "actions", index),
                f'kegiatan "{text}" ditulis dua kali pada langkah yang sama',
                "hapus yang ganda",
            )
            return None
        result.append(action)
    outside = [a for a in result if a in _ALONE]
    if len(result) > 1 and outside:
        r.problem(
            (*where, "actions"),
            f'kegiatan "{outside[0]}" tidak dapat digabung dengan kegiatan lain dalam satu langkah',
            "pengajuan, kelengkapan, resi dan pembayaran dicatat di loket dengan layarnya "
            "sendiri; tulis kegiatan itu sebagai langkah tersendiri",
        )
        return None
    return result


def _primary(actions: list[Action]) -> Action:
    """The action whose screen serves a composite step (see ``FORM_PRIORITY``)."""
    for action in FORM_PRIORITY:
        if action in actions:
            return action
    return actions[0]


def _read_authority(
    r: Reader,
    table: Mapping[str, Any],
    where: KeyPath,
    actions: list[Action] | None,
    office: OfficeConfig,
) -> tuple[str, str] | None:
    """How a signing step signs: ``authority`` (langsung, a.n., u.b., Plt., Plh.) and, when
    not in one's own name, ``on_behalf_of`` (the role signed for)."""
    authority = r.text(table, where, "authority", required=False, default=AUTHORITY_DIRECT)
    behalf = r.text(table, where, "on_behalf_of", required=False, default="")
    if authority is None or behalf is None:
        return None
    signs = actions is not None and Action.SIGN in actions
    if ("authority" in table or "on_behalf_of" in table) and actions is not None and not signs:
        r.problem(
            (*where, "authority" if "authority" in table else "on_behalf_of"),
            "authority/on_behalf_of hanya berlaku pada langkah tanda_tangan",
            "hapus baris ini, atau jadikan langkah ini langkah tanda_tangan",
        )
        return None
    if authority not in AUTHORITIES:
        r.problem(
            (*where, "authority"),
            f'bentuk kewenangan "{authority}" tidak dikenal',
            f"gunakan salah satu dari {join_choices(AUTHORITIES)}",
        )
        return None
    if authority == AUTHORITY_DIRECT:
        if behalf:
            r.problem(
                (*where, "on_behalf_of"),
                "on_behalf_of ditulis tetapi penandatangan menandatangani atas namanya sendiri",
                'tulis authority = "a.n." (atau "u.b.", "Plt.", "Plh."), atau hapus on_behalf_of',
            )
            return None
        return authority, ""
    if not behalf:
        r.problem(
            (*where, "authority"),
            f'penandatanganan "{authority}" harus menyebut atas nama siapa',
            'tambahkan on_behalf_of = "kadis" (peran yang diwakili)',
        )
        return None
    if behalf not in office.roles:
        r.problem(
            (*where, "on_behalf_of"),
            f'peran "{behalf}" tidak dikenal',
            f"gunakan salah satu dari {join_choices(office.roles)} (lihat {OFFICE_FILE})",
        )
        return None
    return authority, behalf


def _read_document(
    r: Reader, table: Mapping[str, Any], where: KeyPath, actions: list[Action] | None
) -> DocumentKind | bool | None:
    """The document a step works on; ``False`` when that is a problem (already reported)."""
    kinds = join_choices(f'"{k.value}"' for k in DocumentKind)
    text = r.text(table, where, "document", required=False, default="")
    if text is None:
        return False
    needing = [a for a in actions or () if a in DOCUMENT_ACTIONS]
    if not text:
        if needing:
            r.problem(
                (*where, "actions" if "actions" in table else "action"),
                f'langkah "{needing[0]}" harus menyebut dokumen yang dikerjakan',
                f"tambahkan document = {kinds}",
            )
            return False
        return None
    try:
        kind = DocumentKind(text)
    except ValueError:
        r.problem((*where, "document"), f'dokumen "{text}" tidak dikenal', f"gunakan {kinds}")
        return False
    if actions and not needing:
        r.warn((*where, "document"), f'document diabaikan pada langkah "{actions[0]}"')
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
