"""The office profile and preferences, kept in the database so every PC of a LAN shares them."""

from __future__ import annotations

import base64
import secrets
from dataclasses import asdict, fields, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop_perizinan.db.models import Setting
from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

PROFILE_KEY = "office_profile"
SECRET_KEY = "verification_secret"
ATTACHMENT_LIMIT_KEY = "attachment_max_mb"

DEFAULT_PROFILE = OfficeProfile(
    regency="KABUPATEN DAIRI",
    office_name="DINAS PENANAMAN MODAL, PELAYANAN TERPADU SATU PINTU DAN KETENAGAKERJAAN",
    address="Jalan Sisingamangaraja No. 1, Sidikalang",
    city="Sidikalang",
    postal_code="22211",
    phone="(0627) 21000",
    website="dpmptspk.dairikab.go.id",
    email="dpmptspk@dairikab.go.id",
    head_title="Kepala Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu dan Ketenagakerjaan",
    head_name="",
    head_rank="",
    head_nip="",
    paper="F4",
    resi_format="half",
)


def profile_to_json(profile: OfficeProfile) -> dict[str, Any]:
    data = asdict(profile)
    emblem = data.pop("emblem")
    data["emblem_b64"] = base64.b64encode(emblem).decode() if emblem else None
    return data


def profile_from_json(data: dict[str, Any]) -> OfficeProfile:
    known = {f.name for f in fields(OfficeProfile)}
    emblem_b64 = data.get("emblem_b64")
    values = {k: v for k, v in data.items() if k in known and k != "emblem"}
    values["emblem"] = base64.b64decode(emblem_b64) if emblem_b64 else None
    return replace(DEFAULT_PROFILE, **values)


def get_value(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_value(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def verification_secret(session: Session) -> bytes:
    """The office's secret for verification codes, created on first use."""
    value = get_value(session, SECRET_KEY)
    if value is None:
        value = secrets.token_hex(32)
        set_value(session, SECRET_KEY, value)
        session.flush()
    return bytes.fromhex(value)


class SettingsService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def office_profile(self, session: Session | None = None) -> OfficeProfile:
        if session is not None:
            data = get_value(session, PROFILE_KEY)
        else:
            with self._s.db.reading() as reading:
                data = get_value(reading, PROFILE_KEY)
        return profile_from_json(data) if data else DEFAULT_PROFILE

    def save_office_profile(self, actor: Actor, profile: OfficeProfile) -> None:
        actor.require(ADMIN_ROLE, what="mengubah profil kantor")
        with self._s.db.transaction() as session:
            set_value(session, PROFILE_KEY, profile_to_json(profile))
            audit.append(
                session,
                actor,
                "pengaturan.profil_kantor",
                at=self._s.now(),
                office=profile.office_name,
                head=profile.head_name,
            )

    def attachment_limit_bytes(self) -> int:
        with self._s.db.reading() as session:
            return int(get_value(session, ATTACHMENT_LIMIT_KEY, 10)) * 1024 * 1024
