"""The CA certificates the office trusts and its timestamp authority (Pengaturan)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_perizinan.errors import NotFound
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.esign.certificates import CertificateInfo, load_certificates
from desktop_perizinan.services.settings import get_value, set_value

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.app import Services

log = logging.getLogger(__name__)

#: Settings key: the CA certificates the office trusts, a list of {"pem", "subject", ...}.
TRUST_ROOTS_KEY = "esign_trust_roots"
#: Settings key: the address of a timestamp authority (RFC 3161); empty = no timestamp (B-B).
TSA_URL_KEY = "esign_tsa_url"


def trust_roots(session: Session) -> list[x509.Certificate]:
    """The CA certificates the office trusts (Pengaturan), parsed."""
    roots: list[x509.Certificate] = []
    for item in get_value(session, TRUST_ROOTS_KEY, []) or []:
        try:
            roots.append(x509.load_pem_x509_certificate(str(item["pem"]).encode()))
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring an unreadable trust root in the settings")
    return roots


def list_trust_roots(services: Services) -> list[CertificateInfo]:
    with services.db.reading() as session:
        return [CertificateInfo.of(c) for c in trust_roots(session)]


def add_trust_root(services: Services, actor: Actor, data: bytes) -> list[CertificateInfo]:
    """Add CA certificates (PEM or DER) the office trusts; returns those added.

    Only an administrator may: a trusted root decides which signatures the app calls valid.
    """
    actor.require(ADMIN_ROLE, what="menambah sertifikat CA terpercaya")
    certs = load_certificates(data)
    added: list[CertificateInfo] = []
    with services.db.transaction() as session:
        items = list(get_value(session, TRUST_ROOTS_KEY, []) or [])
        known = {str(i.get("fingerprint")) for i in items}
        for cert in certs:
            info = CertificateInfo.of(cert)
            if info.fingerprint in known:
                continue
            items.append(
                {
                    "pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
                    "subject": info.subject,
                    "fingerprint": info.fingerprint,
                    "added_at": services.now().isoformat(),
                    "added_by": actor.username,
                }
            )
            known.add(info.fingerprint)
            added.append(info)
        set_value(session, TRUST_ROOTS_KEY, items)
        for info in added:
            audit.append(
                session,
                actor,
                "pengaturan.ca_tambah",
                at=services.now(),
                subjek=info.subject,
                sidik_jari=info.fingerprint,
            )
    return added


def remove_trust_root(services: Services, actor: Actor, fingerprint: str) -> None:
    actor.require(ADMIN_ROLE, what="menghapus sertifikat CA terpercaya")
    with services.db.transaction() as session:
        items = list(get_value(session, TRUST_ROOTS_KEY, []) or [])
        kept = [i for i in items if str(i.get("fingerprint")) != fingerprint]
        if len(kept) == len(items):
            raise NotFound("Sertifikat CA tersebut tidak ada di daftar terpercaya.")
        set_value(session, TRUST_ROOTS_KEY, kept)
        audit.append(
            session, actor, "pengaturan.ca_hapus", at=services.now(), sidik_jari=fingerprint
        )


def timestamp_url(session: Session) -> str | None:
    value = str(get_value(session, TSA_URL_KEY, "") or "").strip()
    return value or None
