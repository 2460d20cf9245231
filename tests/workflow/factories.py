"""Small builders of permit types and office configs for the workflow tests.

The real loader (``desktop_perizinan.workflow.loader``) validates and reports; these builders do
not. They read the shipped TOML with ``tomllib`` so that the engine tests walk exactly the SOP the
office ships, without depending on the loader, and they build tiny synthetic SOPs in one line per
step for the edge cases.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from desktop_perizinan.workflow.definition import (
    Action,
    Book,
    DocumentKind,
    FieldType,
    FormField,
    Numbering,
    OfficeConfig,
    Outcome,
    PermitType,
    Requirement,
    Role,
    Step,
    Wording,
)
from desktop_perizinan.workflow.durations import Duration

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
DAIRI_FILE = FORMS_DIR / "dairi-izin-teknis-lks-asing.toml"
OFFICE_FILE = FORMS_DIR / "_kantor.toml"

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: The Dairi office hours in minutes: Mon–Thu 07:30–16:00, Fri 07:30–16:30, weekend closed.
DAIRI_HOURS: dict[int, tuple[int, int] | None] = {
    0: (450, 960),
    1: (450, 960),
    2: (450, 960),
    3: (450, 960),
    4: (450, 990),
    5: None,
    6: None,
}


def _minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    return int(hours) * 60 + int(minutes)


def parse_hours(table: Mapping[str, str]) -> dict[int, tuple[int, int] | None]:
    """``{"mon": "07:30-16:00", "sat": ""}`` -> ``{0: (450, 960), 5: None}``."""
    result: dict[int, tuple[int, int] | None] = {}
    for weekday, key in enumerate(_WEEKDAYS):
        text = table.get(key, "").strip()
        if text:
            opening, closing = text.split("-")
            result[weekday] = (_minutes(opening), _minutes(closing))
        else:
            result[weekday] = None
    return result


def office_from_toml(path: Path = OFFICE_FILE) -> OfficeConfig:
    """The office config of a ``_kantor.toml``, unvalidated."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    roles = {
        code: Role(code, spec["name"], int(spec.get("rank", 0)))
        for code, spec in data.get("roles", {}).items()
    }
    books = {
        code: Book(code, spec["title"], spec["pattern"], bool(spec.get("yearly", True)))
        for code, spec in data.get("books", {}).items()
    }
    return OfficeConfig(
        roles=roles,
        hours=parse_hours(data.get("hours", {})),
        days_off=tuple(str(d) for d in data.get("days_off", [])),
        books=books,
        registration_book=data.get("registration_book", "registrasi"),
        applicant_recorded_by=data.get("applicant_recorded_by", "front_office"),
    )


def _step_from_table(spec: Mapping[str, Any]) -> Step:
    document = spec.get("document")
    return Step(
        id=spec["id"],
        no=int(spec["no"]),
        name=spec["name"],
        actor=spec["actor"],
        action=Action(spec["action"]),
        time=Duration.parse(spec["time"]),
        time_text=spec["time"],
        outcomes=tuple(Outcome(code, target) for code, target in spec["outcomes"].items()),
        inputs=spec.get("inputs", ""),
        output=spec.get("output", ""),
        actor_label=spec.get("actor_label", ""),
        document=DocumentKind(document) if document else None,
        book=spec.get("book"),
    )


def permit_type_from_toml(path: Path) -> PermitType:
    """A permit type read from a ``forms/*.toml`` file, unvalidated."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    numbering = data["numbering"]
    wording = data["wording"]
    return PermitType(
        code=data["code"],
        name=data["name"],
        sop_number=data.get("sop_number", ""),
        product=data.get("product", ""),
        legal_basis=tuple(data.get("legal_basis", ())),
        fee=int(data.get("fee", 0)),
        requirements=tuple(
            Requirement(
                r["code"], r["name"], r.get("mandatory", True), r.get("renewal_only", False)
            )
            for r in data.get("requirements", ())
        ),
        fields=tuple(
            FormField(
                f["key"],
                f["label"],
                FieldType(f["type"]),
                f.get("required", True),
                tuple(f.get("choices", ())),
            )
            for f in data.get("fields", ())
        ),
        steps=tuple(_step_from_table(s) for s in data["steps"]),
        numbering=Numbering(
            numbering["book"], numbering["title"], numbering["pattern"], numbering["yearly"]
        ),
        wording=Wording(
            wording["permit_title"],
            wording["permit_body"],
            wording["rejection_subject"],
            wording["rejection_body"],
        ),
        channels=tuple(data.get("channels", ("loket",))),
        source_file=path.name,
    )


@cache
def dairi() -> PermitType:
    """The reference SOP: Izin Teknis LKS Asing, Dairi (23 steps, two branches)."""
    return permit_type_from_toml(DAIRI_FILE)


@cache
def office() -> OfficeConfig:
    """The shipped ``forms/_kantor.toml``."""
    return office_from_toml()


# ------------------------------------------------------------------------ synthetic SOPs


def make_step(
    step_id: str,
    outcomes: Mapping[str, str],
    *,
    actor: str = "backoffice",
    action: Action | str = Action.PROCESS,
    time: str = "1 Jam",
    document: DocumentKind | str | None = None,
    no: int = 0,
    name: str | None = None,
) -> Step:
    """One step in one line: ``make_step("cek", {"lengkap": "draf", "tidak_lengkap": "@pemohon"})``."""
    return Step(
        id=step_id,
        no=no,
        name=name or step_id.replace("_", " ").capitalize(),
        actor=actor,
        action=Action(action),
        time=Duration.parse(time),
        time_text=time,
        outcomes=tuple(Outcome(code, target) for code, target in outcomes.items()),
        document=DocumentKind(document) if document else None,
    )


def make_permit_type(steps: list[Step] | tuple[Step, ...], code: str = "UJI") -> PermitType:
    """A minimal permit type around ``steps`` (numbered in order when ``no`` is 0)."""
    numbered = tuple(
        s
        if s.no
        else Step(
            s.id,
            position,
            s.name,
            s.actor,
            s.action,
            s.time,
            s.time_text,
            s.outcomes,
            document=s.document,
        )
        for position, s in enumerate(steps, start=1)
    )
    return PermitType(
        code=code,
        name=f"Izin uji {code}",
        sop_number="SOP/UJI",
        product="Surat Izin Uji",
        legal_basis=(),
        fee=0,
        requirements=(),
        fields=(),
        steps=numbered,
        numbering=Numbering("izin_uji", "Buku Izin Uji", "UJI/{urut}/{tahun}"),
        wording=Wording("IZIN UJI", "Isi izin", "Penolakan", "Ditolak: {alasan}"),
    )


def make_office(
    hours: Mapping[int, tuple[int, int] | None] | None = None,
    days_off: tuple[str, ...] = (),
    roles: tuple[str, ...] = (
        "pemohon",
        "front_office",
        "backoffice",
        "tim_teknis",
        "kabid",
        "sekretaris",
        "kadis",
        "ksb_umum",
        "admin",
    ),
) -> OfficeConfig:
    """An office with the Dairi hours and roles unless told otherwise."""
    return OfficeConfig(
        roles={code: Role(code, code.replace("_", " ").title()) for code in roles},
        hours=dict(DAIRI_HOURS if hours is None else hours),
        days_off=days_off,
        books={"registrasi": Book("registrasi", "Register", "REG/{tahun}/{urut:05}")},
    )
