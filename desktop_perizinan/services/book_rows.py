"""The rows of the agenda and expedition books as every reader sees them (screens, exports,
demo). Apart from ``books`` and ``book_export`` so that both can use them without importing
each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BookInfo:
    code: str
    title: str
    pattern: str
    yearly: bool


@dataclass(frozen=True)
class AgendaRow:
    id: int
    seq: int
    number: str
    taken_at: datetime
    subject: str
    addressee: str
    reg_number: str | None
    taken_by: str
    voided: bool
    void_reason: str | None
    #: How the numbered document was signed: "basah", "TTE", "basah, TTE menunggu" (outage
    #: mode, issue 12) or "basah, TTE dd-mm-yyyy" once the TTE is attached; "menunggu TTD"
    #: (tanda tangan) for a number kept for a letter not yet signed (a refused BSrE call); "" otherwise.
    signature: str = ""
    #: "Ditandatangani oleh": the printed signature heading and name (issue 11: a.n., Plt.);
    #: "" for a line whose letter is not signed in the app.
    signed_by: str = ""

    @property
    def outage_note(self) -> str:
        """The signature word worth a Keterangan cell: a wet signature owing (or since given)
        its TTE, or a number kept for a letter still to be signed; a plain wet or electronic
        signature is the normal case."""
        owing = self.signature.startswith("basah, TTE") or self.signature == KEPT_NOTE
        return self.signature if owing else ""


#: The signature word of a line kept for a letter whose signing has not gone through yet
#: (``services.number_reservation``): the number is the letter's, the letter not yet signed.
KEPT_NOTE = "menunggu TTD"


def signature_note(
    sign_mode: str | None, deferred: bool, attached_at: datetime | None, kept: bool = False
) -> str:
    """The agenda line's word on the signature (see ``AgendaRow.signature``)."""
    if kept:
        return KEPT_NOTE
    if deferred:
        return f"basah, TTE {attached_at:%d-%m-%Y}" if attached_at else "basah, TTE menunggu"
    if sign_mode == "elektronik":
        return "TTE"
    return sign_mode or ""


@dataclass(frozen=True)
class ExpeditionRow:
    id: int
    number: str
    title: str
    sent_at: datetime
    sent_by: str
    way: str
    recipient_name: str | None
    received_at: datetime | None
    reg_number: str | None
