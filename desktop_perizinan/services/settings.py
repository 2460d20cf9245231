"""The office profile and preferences, kept in the database so every PC of a LAN shares them."""

from __future__ import annotations

import base64
import copy
import secrets
from dataclasses import asdict, fields, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
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
#: What intake reads: the attachment limit, the secret of the resi's code, the letterhead.
INTAKE_KEYS = (ATTACHMENT_LIMIT_KEY, SECRET_KEY, PROFILE_KEY)

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


#: ``session.info`` key of the settings this use case has read: {key: value or _ABSENT}.
_READ_INFO = "settings_read"
_ABSENT = object()
#: Built once: the statement (and its compiled form) is reused by every use case.
_PREFETCH = select(Setting.key, Setting.value).where(
    Setting.key.in_(bindparam("keys", expanding=True))
)


def prefetch(session: Session, *keys: str) -> None:
    """Read ``keys`` in one statement and keep them for the rest of this use case.

    Issue 14: intake read three settings with three statements (one in a session of its
    own). The values live in ``session.info``, i.e. as long as this one transaction: another
    PC's change is seen by the next use case, and :func:`set_value` keeps them current.
    """
    read = session.info.setdefault(_READ_INFO, {})
    wanted = [key for key in keys if key not in read]
    if not wanted:
        return
    rows = session.execute(_PREFETCH, {"keys": wanted})
    found = {key: value for key, value in rows}
    for key in wanted:
        read[key] = found.get(key, _ABSENT)


def get_value(session: Session, key: str, default: Any = None) -> Any:
    read = session.info.get(_READ_INFO)
    if read is not None and key in read:
        value = read[key]
        return default if value is _ABSENT else value
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_value(session: Session, key: str, value: Any) -> None:
    read = session.info.get(_READ_INFO)
    if read is not None:
        read.pop(key, None)  # read again (through the row below) after this write
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
        return _parsed_profile(data) if data else DEFAULT_PROFILE

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

    def attachment_limit_bytes(self, session: Session | None = None) -> int:
        """The largest attachment accepted; read in ``session`` when the caller has one."""
        if session is not None:
            return attachment_limit(session)
        with self._s.db.reading() as reading:
            return attachment_limit(reading)


def attachment_limit(session: Session) -> int:
    return int(get_value(session, ATTACHMENT_LIMIT_KEY, 10)) * 1024 * 1024


#: The profile last parsed, with the stored value it came from (the emblem is decoded once,
#: not for every document: issue 14). ``OfficeProfile`` is frozen, so sharing it is safe.
_last_profile: tuple[dict[str, Any], OfficeProfile] | None = None


def _parsed_profile(data: dict[str, Any]) -> OfficeProfile:
    global _last_profile
    if _last_profile is not None and _last_profile[0] == data:
        return _last_profile[1]
    profile = profile_from_json(data)
    _last_profile = (copy.deepcopy(data), profile)
    return profile
