"""Per-signer signing settings (Pengaturan > Tanda tangan): PKCS#12 or BSrE, and how.

Stored in ``signer_setting`` (migration 0006), one row per signer; a signer without a row signs
with the PKCS#12 backend as before. Only an administrator may change a row: which gateway a
signature goes to decides whose certificate signs. The passphrase / TOTP is deliberately not a
field of :class:`SignerConfig`: it is asked at each signing and lives only in that call.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from sqlalchemy import select

from desktop_perizinan.db.models import SignerSetting, User
from desktop_perizinan.errors import FieldErrors, NotFound
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.app import Services

BACKEND_PKCS12 = "pkcs12"
BACKEND_BSRE = "bsre"
BACKENDS = (BACKEND_PKCS12, BACKEND_BSRE)
API_VERSIONS = ("v1", "v2")
SECRET_KINDS = ("passphrase", "totp")  # totp only with v2
APPEARANCES = ("invisible", "visible")  # BSrE "tampilan"
PLACEMENTS = ("koordinat", "penanda")  # page + coordinates, or a tag_koordinat marker

#: Indonesian labels the Pengaturan screen shows for the choices above.
LABELS = {
    BACKEND_PKCS12: "Sertifikat sendiri (berkas .p12/.pfx)",
    BACKEND_BSRE: "BSrE melalui Esign Client Service",
    "v1": "Versi 1 (/api/sign/pdf)",
    "v2": "Versi 2 (/api/v2/sign/pdf)",
    "passphrase": "Passphrase",
    "totp": "Kode TOTP",
    "invisible": "Tidak tampak (QR dan kode verifikasi sudah tercetak)",
    "visible": "Tampak (gambar/QR dari BSrE)",
    "koordinat": "Halaman dan koordinat",
    "penanda": "Karakter penanda (tag_koordinat)",
}

_NIK = re.compile(r"^\d{16}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SignerConfig:
    """How one signer signs. Coordinates are PDF points from the page's bottom-left corner,
    as BSrE's ``xAxis``/``yAxis``/``width``/``height`` expect; ``page`` counts from 1."""

    user_id: int
    backend: Literal["pkcs12", "bsre"] = "pkcs12"
    gateway_url: str = ""
    api_version: Literal["v1", "v2"] = "v1"
    nik: str = ""
    email: str = ""
    gateway_user: str = ""
    secret_kind: Literal["passphrase", "totp"] = "passphrase"
    appearance: Literal["invisible", "visible"] = "invisible"
    placement: Literal["koordinat", "penanda"] = "koordinat"
    page: int = 1
    x_axis: int = 0
    y_axis: int = 0
    width: int = 0
    height: int = 0
    marker: str = ""

    @property
    def is_bsre(self) -> bool:
        return self.backend == BACKEND_BSRE

    @property
    def identifier(self) -> str:
        """What BSrE knows the signer by: the NIK, or (V2 only) the e-mail."""
        return self.nik or self.email

    def problems(self) -> dict[str, str]:
        """Field → Indonesian message for every setting that cannot work (empty when fine)."""
        errors: dict[str, str] = {}
        if self.backend not in BACKENDS:
            errors["backend"] = "Pilih cara tanda tangan: sertifikat sendiri atau BSrE."
        if not self.is_bsre:
            return errors
        url = urlsplit(self.gateway_url.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            errors["gateway_url"] = (
                "Alamat Esign Client Service harus berupa alamat http(s), misalnya "
                "http://10.0.0.5:8080."
            )
        if self.api_version not in API_VERSIONS:
            errors["api_version"] = "Versi API harus v1 atau v2."
        if self.nik and not _NIK.match(self.nik):
            errors["nik"] = "NIK harus 16 angka."
        if self.email and not _EMAIL.match(self.email):
            errors["email"] = "Alamat e-mail tidak valid."
        if self.api_version == "v1" and not self.nik:
            errors["nik"] = "API versi 1 membutuhkan NIK penanda tangan (16 angka)."
        if self.api_version == "v2" and not (self.nik or self.email):
            errors["nik"] = "Isi NIK atau e-mail penanda tangan yang terdaftar di BSrE."
        if self.secret_kind not in SECRET_KINDS:
            errors["secret_kind"] = "Pilih passphrase atau TOTP."
        elif self.secret_kind == "totp" and self.api_version != "v2":
            errors["secret_kind"] = "TOTP hanya tersedia pada API versi 2."
        if self.appearance not in APPEARANCES:
            errors["appearance"] = "Tampilan harus tampak atau tidak tampak."
        if self.placement not in PLACEMENTS:
            errors["placement"] = "Pilih letak: koordinat atau karakter penanda."
        elif self.placement == "penanda":
            if len(self.marker) != 1 or self.marker.isspace() or self.marker.isalnum():
                errors["marker"] = (
                    "Karakter penanda harus satu tanda baca yang tidak dipakai di teks surat, "
                    "misalnya # atau ^."
                )
        elif self.appearance == "visible":
            if self.page < 1:
                errors["page"] = "Halaman dimulai dari 1."
            if self.width <= 0 or self.height <= 0:
                errors["width"] = "Lebar dan tinggi tampilan tanda tangan harus lebih dari 0."
            if self.x_axis < 0 or self.y_axis < 0:
                errors["x_axis"] = "Koordinat tidak boleh negatif."
        return errors


def _from_row(row: SignerSetting) -> SignerConfig:
    return SignerConfig(
        user_id=row.user_id,
        backend=row.backend,  # type: ignore[arg-type]
        gateway_url=row.gateway_url,
        api_version=row.api_version,  # type: ignore[arg-type]
        nik=row.nik,
        email=row.email,
        gateway_user=row.gateway_user,
        secret_kind=row.secret_kind,  # type: ignore[arg-type]
        appearance=row.appearance,  # type: ignore[arg-type]
        placement=row.placement,  # type: ignore[arg-type]
        page=row.page,
        x_axis=row.x_axis,
        y_axis=row.y_axis,
        width=row.width,
        height=row.height,
        marker=row.marker,
    )


def config_for(session: Session, user_id: int) -> SignerConfig:
    """The signer's settings inside the caller's transaction (PKCS#12 defaults without a row)."""
    row = session.get(SignerSetting, user_id)
    return _from_row(row) if row is not None else SignerConfig(user_id=user_id)


def get_signer_config(services: Services, user_id: int) -> SignerConfig:
    """The signer's settings (any user may read their own; the desk shows which backend)."""
    with services.db.reading() as session:
        return config_for(session, user_id)


def list_signer_configs(services: Services) -> list[SignerConfig]:
    """Every stored signer setting, by user id."""
    with services.db.reading() as session:
        rows = session.scalars(select(SignerSetting).order_by(SignerSetting.user_id))
        return [_from_row(r) for r in rows]


def save_signer_config(services: Services, actor: Actor, config: SignerConfig) -> SignerConfig:
    """Validate and store a signer's settings; returns them as stored (trimmed).

    Administrator only. Refuses with :class:`FieldErrors` (one message per field) and changes
    nothing when a setting cannot work. Audited without anything secret (there is nothing
    secret in a :class:`SignerConfig`).
    """
    actor.require(ADMIN_ROLE, what="mengubah pengaturan tanda tangan elektronik")
    config = replace(
        config,
        gateway_url=config.gateway_url.strip().rstrip("/"),
        nik=config.nik.strip(),
        email=config.email.strip(),
        gateway_user=config.gateway_user.strip(),
        marker=config.marker.strip(),
    )
    errors = config.problems()
    if errors:
        raise FieldErrors(errors)
    now = services.now()
    with services.db.transaction() as session:
        if session.get(User, config.user_id) is None:
            raise NotFound("Pengguna penanda tangan tidak ditemukan.")
        row = session.get(SignerSetting, config.user_id)
        if row is None:
            row = SignerSetting(user_id=config.user_id)
            session.add(row)
        values = asdict(config)
        values.pop("user_id")
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        row.updated_by = actor.id
        session.flush()
        audit.append(
            session,
            actor,
            "pengaturan.tte_penanda_tangan",
            at=now,
            pengguna=config.user_id,
            **{k: v for k, v in values.items() if k in ("backend", "gateway_url", "api_version")},
        )
    return config
