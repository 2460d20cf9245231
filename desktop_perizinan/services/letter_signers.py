"""The signature block and the paraf box of a letter, as the permit-type file's signing step
(role, langsung/a.n./u.b./Plt./Plh.) and the office's Plt./Plh. setting say (issue 11).

A mixin of :class:`DocumentService` (``services.documents``): it uses its ``office`` and ``_s``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Case,
    Document,
    DocumentVersion,
    Paraf,
    User,
    UserRole,
)
from desktop_perizinan.documents import contexts as c
from desktop_perizinan.services import acting_head
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.workflow import lifecycle
from desktop_perizinan.workflow.definition import (
    AUTHORITY_DIRECT,
    HEAD_ROLE,
    DocumentKind,
    Step,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services


class SignerBlocks:
    """Who signs and who initialled, for the printed letter."""

    _s: Services

    def office(self, session: Session) -> c.OfficeProfile:
        return self._s.settings.office_profile(session)

    def _paraf_marks(self, session: Session, version: DocumentVersion) -> tuple[c.ParafMark, ...]:
        rows = session.scalars(
            select(Paraf)
            .where(Paraf.document_version_id == version.id, Paraf.action == "paraf")
            .order_by(Paraf.at, Paraf.id)
        ).all()
        office = self._s.office
        ordered = sorted(
            rows, key=lambda p: office.roles[p.role].rank if p.role in office.roles else 0
        )
        return tuple(
            c.ParafMark(role=office.role_name(p.role), name=p.user.full_name, at=p.at)
            for p in ordered[: c.MAX_PARAF]
        )

    def _head_signatory(self, session: Session, signer: User | None = None) -> c.Signatory:
        office = self.office(session)
        if signer is None and not office.head_name:
            signer = session.scalars(
                select(User).join(UserRole).where(UserRole.role == "kadis", User.active.is_(True))
            ).first()
        if signer is not None:
            return c.Signatory(
                name=signer.full_name,
                title=office.head_title,
                rank=signer.rank,
                nip=signer.nip,
            )
        return office.head_signatory()

    def _signatory(
        self,
        session: Session,
        doc: Document,
        step: Step | None,
        signer: Actor | User | None,
        when: datetime,
    ) -> c.Signatory:
        """The signature block as the permit-type file and the office setting say.

        The signing step names the role that signs and the form (langsung, a.n., u.b., Plt.,
        Plh.); a head's step signed while a Plt./Plh. is set (Pengaturan) prints that form.
        Before the signature the block shows who will sign (the first active user of the
        role).
        """
        case = session.get(Case, doc.case_id)
        assert case is not None
        pt = self._s.definition_for(session, case)
        kind = DocumentKind(doc.kind) if doc.kind in set(DocumentKind) else None
        step = step or (lifecycle.signing_step(pt, kind) if kind is not None else None)
        acting = acting_head.acting_on(session, when.date())
        user = session.get(User, signer.id) if isinstance(signer, Actor) else signer
        role = step.actor if step is not None else HEAD_ROLE
        if user is None and acting is not None and role == HEAD_ROLE:
            user = session.get(User, acting.user_id)
        if user is None and role != HEAD_ROLE:
            user = session.scalars(
                select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
            ).first()
        authority = step.authority if step is not None else AUTHORITY_DIRECT
        if role == HEAD_ROLE and authority == AUTHORITY_DIRECT:
            if acting is not None and user is not None and user.id == acting.user_id:
                office = self.office(session)
                return c.Signatory(
                    name=user.full_name,
                    title=office.head_title,
                    rank=user.rank,
                    nip=user.nip,
                    on_behalf=acting.form,  # type: ignore[arg-type]
                )
            return self._head_signatory(session, user)
        name = user.full_name if user is not None else ""
        rank, nip = (user.rank, user.nip) if user is not None else ("", "")
        own = self._role_title(session, role)
        if authority == AUTHORITY_DIRECT:
            return c.Signatory(name=name, title=own, rank=rank, nip=nip)
        assert step is not None
        principal = self._role_title(session, step.on_behalf_of)
        if authority in ("Plt.", "Plh."):
            return c.Signatory(name=name, title=principal, rank=rank, nip=nip, on_behalf=authority)
        return c.Signatory(
            name=name,
            title=own,
            rank=rank,
            nip=nip,
            on_behalf=authority,  # type: ignore[arg-type]
            principal_title=principal,
        )

    def _role_title(self, session: Session, role: str) -> str:
        """The printed title of a role: the office head's from the profile, else its name."""
        if role == HEAD_ROLE:
            return self.office(session).head_title
        return self._s.office.role_name(role)


def printed_signatory(signatory: c.Signatory) -> str:
    """The signature heading and name on one line, for the agenda book ("ditandatangani
    oleh"): "a.n. Kepala Dinas ... / Kepala Bidang Perizinan: Ir. Budi"."""
    heading = " / ".join(line.rstrip(",") for line in signatory.heading_lines())
    return f"{heading}: {signatory.name}" if signatory.name.strip() else heading
