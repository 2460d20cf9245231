"""The one write of outage mode that happens inside the signing step: the wet signature owes
a TTE (``deferred_tte``, migration 0008).

Apart from ``tte_outage`` so that the tanda_tangan handler (``casework``) can call it without
importing what ``tte_outage`` needs for attaching the TTE later (the documents service, which
imports ``casework``): no import cycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import DeferredTte, Document
from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services.actor import Actor

#: The longest outage reason kept (the gateway's sentence, or the signer's note).
REASON_LIMIT = 500


def record_wet_signature(
    session: Session, actor: Actor, doc: Document, reason: str, now: datetime
) -> DeferredTte:
    """Inside the signing step's transaction: the wet signature owes a TTE (called by the
    tanda_tangan handler when ``data["tte_menyusul"]`` is set)."""
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError(
            "Tuliskan mengapa TTE menyusul (mis. layanan TTE sedang tidak dapat dihubungi).",
            "alasan",
        )
    if len(text) > REASON_LIMIT:
        text = text[: REASON_LIMIT - 1] + "…"
    existing = session.scalars(select(DeferredTte).where(DeferredTte.document_id == doc.id)).first()
    if existing is not None:
        # Signed wet again after a return: the promise stands, with the newest reason.
        existing.signed_wet_at, existing.signer_id, existing.reason = now, actor.id, text
        return existing
    row = DeferredTte(
        document_id=doc.id,
        case_id=doc.case_id,
        signer_id=actor.id,
        signed_wet_at=now,
        reason=text,
    )
    session.add(row)
    session.flush()
    return row
