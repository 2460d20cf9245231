"""The signing seam: one protocol, two backends (the signer's own PKCS#12, or BSrE).

The flow (``documents.sign`` for a tanda_tangan step in mode "elektronik") asks
``selection.backend_for`` for the signer's backend, renders the final (number, QR, verification code
already in the page) and hands it over as a :class:`SignRequest`; what comes back is a
:class:`SignedPdf` that has been checked (certificate names the signer; for BSrE also the
returned file validated, see ``bsre_backend``) and is stored unchanged from then on.

The secret (passphrase or TOTP) travels as a :class:`Secret`: it lives in memory for the call,
is never printed by ``repr``, cannot be pickled, and is not part of any message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services.esign.certificates import (
    CertificateInfo,
    check_belongs_to,
    check_usage,
    check_validity,
)
from desktop_perizinan.services.esign.errors import SigningError
from desktop_perizinan.services.esign.pkcs12 import SigningIdentity, sign_pdf
from desktop_perizinan.services.esign.validation import LEVEL_B_B, LEVEL_B_T

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor


class Secret:
    """A passphrase or TOTP for one signing call: never shown, never serialised.

    ``str()``/``repr()`` print only the kind; :meth:`reveal` is the one way to the value, used
    by the HTTP client when it builds the request body.
    """

    __slots__ = ("_kind", "_value")

    def __init__(self, value: str, kind: Literal["passphrase", "totp"] = "passphrase") -> None:
        if not value:
            label = "kode TOTP" if kind == "totp" else "passphrase TTE"
            raise ValidationError(f"Isi {label} Anda untuk menandatangani.", kind)
        self._value = value
        self._kind = kind

    @property
    def kind(self) -> str:
        return self._kind

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self._kind}, ***)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("Secret tidak dapat diserialisasi.")


@dataclass(frozen=True)
class ExpectedSigner:
    """Who must appear in the signing certificate: the user signing the step."""

    full_name: str
    nip: str = ""
    nik: str = ""

    @classmethod
    def of(cls, actor: Actor, nik: str = "") -> ExpectedSigner:
        return cls(full_name=actor.full_name, nip=actor.nip, nik=nik)


@dataclass(frozen=True)
class SignRequest:
    """One PDF to sign. ``pdf`` is final: number, QR and verification code already drawn."""

    pdf: bytes = field(repr=False)
    reason: str
    location: str = ""
    #: A short label for messages and batch results (the document's number or title).
    label: str = ""
    #: The verification address a *visible* BSrE stamp may carry as ``linkQR``.
    link_qr: str = ""
    #: Text that must already be printed on the page before signing (the number; the QR is
    #: drawn with it): the pre-flight refuses a PDF without it.
    printed: tuple[str, ...] = ()
    #: Text that must already be in the document information (the verification code: the
    #: QR's payload is written there together with the QR, see ``documents``).
    embedded: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignedPdf:
    """A signed, checked PDF and what the case records about it (nothing secret)."""

    pdf: bytes = field(repr=False)
    certificate: CertificateInfo
    level: str
    backend: str  # "pkcs12" | "bsre"
    #: Extra facts for the step record: API version, gateway document id, trust.
    detail: dict[str, Any] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        """The JSON a step's data keeps: certificate identity, level, backend; no secret."""
        return {
            "sertifikat": self.certificate.as_record(),
            "tingkat": self.level,
            "backend": self.backend,
            **self.detail,
        }


@runtime_checkable
class SigningBackend(Protocol):
    """What the flow needs from a way of signing."""

    kind: str

    def sign(self, request: SignRequest, at: datetime) -> SignedPdf:
        """Sign one PDF; raise a :class:`SigningError` (or ``ValidationError``) on failure."""
        ...

    def sign_batch(
        self, requests: Sequence[SignRequest], at: datetime
    ) -> list[SignedPdf | SigningError]:
        """Sign several PDFs; one result per request, in order (a failure does not stop the
        others unless the failure is the signer's secret or the gateway itself)."""
        ...


class Pkcs12Backend:
    """The signer's own certificate file, opened once (see ``pkcs12``)."""

    kind = "pkcs12"

    def __init__(
        self,
        identity: SigningIdentity,
        expected: ExpectedSigner,
        timestamp_url: str | None = None,
    ) -> None:
        self.identity = identity
        self.expected = expected
        self.timestamp_url = timestamp_url

    def check(self, at: datetime) -> CertificateInfo:
        """Refuse an expired, non-signing or someone else's certificate before anything."""
        info = self.identity.info
        check_validity(info, at)
        check_usage(self.identity.certificate)
        check_belongs_to(info, full_name=self.expected.full_name, nip=self.expected.nip)
        return info

    def sign(self, request: SignRequest, at: datetime) -> SignedPdf:
        info = self.check(at)
        pdf = sign_pdf(
            self.identity,
            request.pdf,
            reason=request.reason,
            location=request.location,
            timestamp_url=self.timestamp_url,
        )
        level = LEVEL_B_T if self.timestamp_url else LEVEL_B_B
        return SignedPdf(pdf=pdf, certificate=info, level=level, backend=self.kind)

    def sign_batch(
        self, requests: Sequence[SignRequest], at: datetime
    ) -> list[SignedPdf | SigningError]:
        results: list[SignedPdf | SigningError] = []
        for request in requests:
            try:
                results.append(self.sign(request, at))
            except SigningError as exc:
                results.append(exc)
        return results
