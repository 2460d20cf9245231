"""Who acts as head of office while the head is away (Plt./Plh.), as an office setting.

Tata Naskah Dinas: a Pelaksana Tugas (Plt.) or Pelaksana Harian (Plh.) signs in the head's
office for a stated period. The administrator records who and from when to when in
Pengaturan; while the period runs the acting official may take the head's steps (role
``kadis``) and every letter they sign reads "Plt. Kepala Dinas ..." with their own name. Nobody
has to remember to change a setting back: outside the dates it simply does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from desktop_perizinan.db.models import User
from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services.settings import get_value, set_value

KEY = "kepala_pelaksana"
FORMS = ("Plt.", "Plh.")


@dataclass(frozen=True)
class ActingHead:
    user_id: int
    form: str  # "Plt." or "Plh."
    start: date
    end: date

    def applies(self, day: date) -> bool:
        return self.start <= day <= self.end


def current(session: Session) -> ActingHead | None:
    """The stored setting (whether or not its period runs today)."""
    data = get_value(session, KEY)
    if not isinstance(data, dict) or not data.get("user_id"):
        return None
    try:
        return ActingHead(
            int(data["user_id"]),
            str(data["form"]),
            date.fromisoformat(str(data["start"])),
            date.fromisoformat(str(data["end"])),
        )
    except (KeyError, ValueError):
        return None


def acting_on(session: Session, day: date) -> ActingHead | None:
    """The acting head on ``day``, if the setting's period covers it."""
    setting = current(session)
    return setting if setting is not None and setting.applies(day) else None


def validate(session: Session, user_id: int, form: str, start: date, end: date) -> ActingHead:
    """Refuse a setting that cannot be right, with a message for the administrator."""
    if form not in FORMS:
        raise ValidationError("Bentuk harus Plt. atau Plh.", "form")
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationError("Pilih pengguna aktif sebagai pejabat pelaksana.", "user")
    if end < start:
        raise ValidationError("Tanggal selesai tidak boleh sebelum tanggal mulai.", "end")
    if (end - start).days > 366:
        raise ValidationError("Masa Plt./Plh. paling lama satu tahun; periksa tanggalnya.", "end")
    return ActingHead(user_id, form, start, end)


def store(session: Session, setting: ActingHead | None) -> None:
    if setting is None:
        set_value(session, KEY, {})
        return
    set_value(
        session,
        KEY,
        {
            "user_id": setting.user_id,
            "form": setting.form,
            "start": setting.start.isoformat(),
            "end": setting.end.isoformat(),
        },
    )
