"""The BSrE backend: sign through the regency's Esign Client Service (V1 or V2).

One call = pre-flight (``preflight.check_before_sending``), the gateway round trip
(``bsre_client``), post-flight (``preflight.check_returned``). The passphrase/TOTP is held by
the :class:`~desktop_perizinan.services.esign.backend.Secret` given at construction, for the
life of this object only (one signing, or one batch); the desk builds a new backend each time.

Why the whole batch stops at a wrong passphrase or an outage: sending the same wrong secret
again would count towards BSrE's lock-out of the signer's certificate, and a gateway that is
down for one file is down for the next; every remaining request gets the same error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from cryptography import x509

from desktop_perizinan.services.esign.backend import (
    ExpectedSigner,
    Secret,
    SignedPdf,
    SignRequest,
)
from desktop_perizinan.services.esign.bsre_client import BsreClient, V1Placement
from desktop_perizinan.services.esign.errors import (
    CertificateNotActive,
    SignerNotRegistered,
    SigningError,
    WrongPassphrase,
)
from desktop_perizinan.services.esign.preflight import (
    check_before_sending,
    check_returned,
    single_revision,
)
from desktop_perizinan.services.esign.signer_config import SignerConfig
from desktop_perizinan.services.esign.validation import LEVEL_B_B

#: The PC's environment variable with the gateway's HTTP Basic password (never the database).
PASSWORD_ENV = "PERIZINAN_BSRE_PASSWORD"
#: The PC's environment variable overriding the read time-out in seconds (a slow gateway).
TIMEOUT_ENV = "PERIZINAN_BSRE_TIMEOUT"
#: Statuses of the certificate-status endpoint under which a signer can sign.
ACTIVE = "ISSUE"


def client_for(config: SignerConfig, **options: float) -> BsreClient:
    """A client for the signer's gateway, with HTTP Basic auth when a user is configured."""
    timeout = os.environ.get(TIMEOUT_ENV, "").strip()
    if timeout and "read_timeout" not in options:
        # A typo in the PC's environment keeps the default rather than failing to sign.
        with contextlib.suppress(ValueError):
            options = {**options, "read_timeout": max(float(timeout), 0.1)}
    auth = None
    if config.gateway_user:
        auth = (config.gateway_user, os.environ.get(PASSWORD_ENV, ""))
    return BsreClient(config.gateway_url, auth=auth, **options)  # type: ignore[arg-type]


def placement_of(config: SignerConfig, link_qr: str = "") -> V1Placement:
    if config.appearance != "visible":
        return V1Placement(tampilan="invisible")
    if config.placement == "penanda":
        return V1Placement(tampilan="visible", tag_koordinat=config.marker, link_qr=link_qr)
    return V1Placement(
        tampilan="visible",
        page=config.page,
        x_axis=config.x_axis,
        y_axis=config.y_axis,
        width=config.width,
        height=config.height,
        link_qr=link_qr,
    )


def _stops_batch(error: SigningError) -> bool:
    return error.gateway_down or isinstance(error, WrongPassphrase | SignerNotRegistered)


class BsreBackend:
    """Signs as the configured signer through the gateway; see the module docstring."""

    kind = "bsre"

    def __init__(
        self,
        config: SignerConfig,
        secret: Secret,
        expected: ExpectedSigner,
        trust_roots: Iterable[x509.Certificate] = (),
        **client_options: float,
    ) -> None:
        self.config = config
        self.secret = secret
        self.expected = expected
        self.trust_roots = list(trust_roots)
        self.client_options = client_options

    def _marker(self) -> str:
        visible_by_marker = (
            self.config.appearance == "visible" and self.config.placement == "penanda"
        )
        return self.config.marker if visible_by_marker else ""

    def _signed(self, request: SignRequest, returned: bytes) -> SignedPdf:
        info, trusted = check_returned(request.pdf, returned, self.expected, self.trust_roots)
        return SignedPdf(
            pdf=returned,
            certificate=info,
            level=LEVEL_B_B,
            backend=self.kind,
            detail={"api": self.config.api_version, "terpercaya": trusted},
        )

    def sign(self, request: SignRequest, at: datetime) -> SignedPdf:
        result = self.sign_batch([request], at)[0]
        if isinstance(result, SigningError):
            raise result
        return result

    def sign_batch(
        self, requests: Sequence[SignRequest], at: datetime
    ) -> list[SignedPdf | SigningError]:
        results: list[SignedPdf | SigningError | None] = [None] * len(requests)
        ready: list[int] = []
        requests = [replace(r, pdf=single_revision(r.pdf)) for r in requests]
        for i, request in enumerate(requests):
            try:
                check_before_sending(
                    request.pdf,
                    marker=self._marker(),
                    required_text=request.printed,
                    required_metadata=request.embedded,
                )
                ready.append(i)
            except SigningError as exc:
                results[i] = exc
        if ready:
            with client_for(self.config, **self.client_options) as client:
                if self.config.api_version == "v2":
                    self._v2(client, requests, ready, results)
                else:
                    self._v1(client, requests, ready, results)
        return [r for r in results if r is not None]

    def _v1(
        self,
        client: BsreClient,
        requests: Sequence[SignRequest],
        ready: list[int],
        results: list[SignedPdf | SigningError | None],
    ) -> None:
        stop: SigningError | None = None
        for i in ready:
            request = requests[i]
            if stop is not None:
                results[i] = stop
                continue
            try:
                signed = client.sign_v1(
                    request.pdf,
                    nik=self.config.nik,
                    secret=self.secret,
                    placement=placement_of(self.config, request.link_qr),
                    name=f"{request.label or 'dokumen'}.pdf".replace("/", "-"),
                )
                results[i] = self._signed(request, signed.pdf)
            except SigningError as exc:
                results[i] = exc
                if _stops_batch(exc):
                    stop = exc

    def _v2(
        self,
        client: BsreClient,
        requests: Sequence[SignRequest],
        ready: list[int],
        results: list[SignedPdf | SigningError | None],
    ) -> None:
        chosen = [requests[i] for i in ready]
        properties = [placement_of(self.config, r.link_qr).v2(r.reason, r.location) for r in chosen]
        try:
            files = client.sign_v2(
                [r.pdf for r in chosen],
                nik=self.config.nik,
                email="" if self.config.nik else self.config.email,
                secret=self.secret,
                properties=properties,
            )
        except SigningError as exc:
            for i in ready:
                results[i] = exc
            return
        for i, returned in zip(ready, files, strict=True):
            try:
                results[i] = self._signed(requests[i], returned)
            except SigningError as exc:
                results[i] = exc


def check_signer_status(config: SignerConfig, **client_options: float) -> str:
    """Ask the gateway whether the signer's certificate can sign ("Uji koneksi" in Pengaturan).

    Returns the status word (``ISSUE`` = can sign); raises :class:`SignerNotRegistered`,
    :class:`CertificateNotActive` or a gateway error with its Indonesian message.
    """
    who = config.identifier
    with client_for(config, **client_options) as client:
        if config.api_version == "v2":
            body = client.status_v2(nik=config.nik, email=config.email)
        else:
            body = client.status_v1(config.nik)
    status = str(body.get("status") or body.get("userStatus") or "").upper()
    if status in ("NOT_REGISTERED", ""):
        raise SignerNotRegistered(who)
    if status != ACTIVE:
        raise CertificateNotActive(who, status)
    return status
