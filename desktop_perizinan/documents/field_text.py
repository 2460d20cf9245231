"""A permit type's field value as a letter prints it: dates in Indonesian long form.

Values are stored as the validators leave them (a date as ISO ``2024-03-15``, so it sorts and
compares); a document never prints that form. A date prints "15 Maret 2024" like the dates the
application writes itself, and a "date or lifetime" field prints either its lifetime wording
("Seumur Hidup") or the date. Anything that does not parse is printed as stored rather than
lost: the letter is a record of what the file holds.
"""

from __future__ import annotations

from datetime import date

from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.workflow.definition import FieldType, FormField

#: The field types stored as an ISO date (or, for date-or-lifetime, possibly a wording).
DATE_TYPES = frozenset({FieldType.DATE, FieldType.DATE_OR_LIFETIME})


def display_value(spec: FormField, raw: object) -> str:
    """``raw`` (as stored in the case) the way documents print it."""
    text = "" if raw is None else str(raw).strip()
    if not text or spec.type not in DATE_TYPES:
        return text
    try:
        return format_date(date.fromisoformat(text))
    except ValueError:
        return text


def display_values(fields: tuple[FormField, ...], stored: dict[str, object]) -> dict[str, str]:
    """Every field of a permit type, printed form (missing ones as "")."""
    return {spec.key: display_value(spec, stored.get(spec.key, "")) for spec in fields}
