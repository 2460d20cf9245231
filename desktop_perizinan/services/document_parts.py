"""Small pieces every document use case shares: rendering, the QR payload, the
reference of a case before registration, and the ref handed back to the step.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from desktop_perizinan.db.models import (
    Case,
    Document,
    DocumentVersion,
)
from desktop_perizinan.documents import contexts as c
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.qr_codes import QR_PREFIX, parse_qr_payload, qr_payload

if TYPE_CHECKING:
    from desktop_perizinan.workflow.definition import PermitType


@dataclass(frozen=True)
class DocumentRef:
    """A document a step produced, as the step's result shows it."""

    document_id: int
    title: str
    number: str | None
    version: int


def render(ctx: c.DocumentContext) -> bytes:
    """Render any context with its renderer (reportlab is imported only here, lazily)."""
    from desktop_perizinan.documents import pdf

    return pdf.render(ctx)


def with_payload(pdf: bytes, payload: str) -> bytes:
    """The PDF with its verification payload in the document information (see verification),
    written into the renderer's one revision (``pdf_payload.payload_in_info``)."""
    from desktop_perizinan.services.pdf_payload import payload_in_info

    return payload_in_info(pdf, payload)


def case_reference(case: Case) -> str:
    """The reference of a case before it has a registration number (klarifikasi slip)."""
    return f"K-{case.received_at:%Y}-{case.id:06d}"


def applicant_of(case: Case, pt: PermitType | None = None) -> c.Applicant:
    """The applicant as printed; with ``pt``, under the labels its ``[applicant]`` gives."""
    a = case.applicant
    applicant = c.Applicant(name=a.name, nik=a.nik, address=a.address, phone=a.phone)
    if pt is None:
        return applicant
    form = pt.applicant
    return replace(
        applicant, name_label=form.name.print_label, address_label=form.address.print_label
    )


def first_role(actor: Actor) -> str:
    return sorted(actor.roles)[0] if actor.roles else ""


def ref(doc: Document, version: DocumentVersion) -> DocumentRef:
    return DocumentRef(doc.id, doc.title, doc.number, version.version)


__all__ = [
    "QR_PREFIX",
    "DocumentRef",
    "applicant_of",
    "case_reference",
    "first_role",
    "parse_qr_payload",
    "qr_payload",
    "ref",
    "render",
    "with_payload",
]
