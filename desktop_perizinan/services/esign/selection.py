"""Which backend a signer signs with: :func:`backend_for` reads the signer's setting.

Apart from ``backend`` so that the BSrE modules (which use ``backend``'s types) are imported by
this chooser only, never the other way round: no import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_perizinan.services.esign.backend import (
    ExpectedSigner,
    Pkcs12Backend,
    Secret,
    SigningBackend,
)
from desktop_perizinan.services.esign.bsre_backend import BsreBackend
from desktop_perizinan.services.esign.pkcs12 import identity_from_data
from desktop_perizinan.services.esign.signer_config import SignerConfig, config_for
from desktop_perizinan.services.esign.trust import timestamp_url, trust_roots

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.actor import Actor


def secret_from_data(data: dict[str, Any], config: SignerConfig) -> Secret:
    """The passphrase or TOTP the signing step's dialog put in ``data`` (never stored)."""
    ready = data.get("secret")
    if isinstance(ready, Secret):
        return ready
    if config.secret_kind == "totp":
        return Secret(str(data.get("totp") or ""), "totp")
    return Secret(str(data.get("passphrase") or ""), "passphrase")


def backend_for(session: Session, actor: Actor, data: dict[str, Any]) -> SigningBackend:
    """The backend the actor signs with, per Pengaturan (``signer_setting``).

    ``data`` is the signing step's input: for PKCS#12 ``identitas`` or ``p12`` + ``passphrase``;
    for BSrE ``passphrase`` or ``totp`` (or a ready :class:`Secret` as ``secret``). A ready
    backend passed as ``data["backend"]`` is used as it is (a batch builds one per signer).
    """
    ready = data.get("backend")
    if isinstance(ready, SigningBackend):
        return ready
    config = config_for(session, actor.id)
    if config.is_bsre:
        return BsreBackend(
            config,
            secret_from_data(data, config),
            ExpectedSigner.of(actor, config.nik),
            trust_roots=trust_roots(session),
        )
    return Pkcs12Backend(identity_from_data(data), ExpectedSigner.of(actor), timestamp_url(session))
