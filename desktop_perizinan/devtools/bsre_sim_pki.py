"""The simulator's parts that are not HTTP: its throwaway CA, multipart parsing, and signing.

Split from ``bsre_sim`` to keep each module small; see that module for the whole picture.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)


@dataclass
class SimUser:
    """A signer BSrE knows: NIK, name, passphrase (and a TOTP for V2), certificate status."""

    nik: str
    name: str
    passphrase: str
    email: str = ""
    totp: str = ""
    status: str = "ISSUE"


def _name(*pairs: tuple[Any, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


class _Pki:
    """The throwaway CA and one certificate per user (RSA-2048, made once)."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.valid_from = datetime(2020, 1, 1, tzinfo=UTC)
        self.valid_until = max(now + timedelta(days=3650), datetime(2036, 1, 1, tzinfo=UTC))
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = _name(
            (NameOID.COUNTRY_NAME, "ID"),
            (NameOID.ORGANIZATION_NAME, "Simulator BSrE (uji coba, bukan BSSN)"),
            (NameOID.COMMON_NAME, "Simulator BSrE Root CA"),
        )
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.valid_from)
            .not_valid_after(self.valid_until)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        self._identities: dict[str, Any] = {}
        self._lock = threading.Lock()

    def identity(self, user: SimUser) -> Any:
        """The user's SigningIdentity (key kept parsed, see services/esign/pkcs12)."""
        from desktop_perizinan.services.esign.pkcs12 import SigningIdentity

        with self._lock:
            if user.nik in self._identities:
                return self._identities[user.nik]
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            cert = (
                x509.CertificateBuilder()
                .subject_name(
                    _name(
                        (NameOID.COUNTRY_NAME, "ID"),
                        (NameOID.ORGANIZATION_NAME, "Pemerintah Daerah (simulator)"),
                        (NameOID.COMMON_NAME, user.name),
                        (NameOID.SERIAL_NUMBER, user.nik),
                    )
                )
                .issuer_name(self.certificate.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(self.valid_from)
                .not_valid_after(self.valid_until)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(
                    x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
                )
                .sign(self.key, hashes.SHA256())
            )
            identity = SigningIdentity(certificate=cert, chain=(self.certificate,), key=key)
            self._identities[user.nik] = identity
            return identity


class SimError(Exception):
    def __init__(self, http: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.http = http
        self.code = code
        self.message = message


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """(text fields, file fields) of a multipart/form-data body (stdlib email parser)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[str(name)] = payload
        else:
            fields[str(name)] = payload.decode("utf-8")
    return fields, files


def _marker_box(pdf: bytes, marker: str) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) of the single ``tag_koordinat`` character; SimError otherwise."""
    from pypdf import PdfReader

    found: list[tuple[int, float, float]] = []
    reader = PdfReader(io.BytesIO(pdf))
    for index, page in enumerate(reader.pages):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, index: int = index) -> None:
            if marker in text:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((index, float(x), float(y)))

        page.extract_text(visitor_text=visit)
    if len(found) != 1:
        raise SimError(400, None, f"tag_koordinat '{marker}' ditemukan {len(found)} kali")
    index, x, y = found[0]
    # The stamp hangs from the marker (the letter leaves room below it), 120 x 48 points.
    return index, (x, y - 46, x + 120, y + 2)


def _sign(
    identity: Any,
    pdf: bytes,
    *,
    reason: str,
    location: str,
    visible: bool,
    page: int = 1,
    box: tuple[float, float, float, float] | None = None,
) -> bytes:
    """A PAdES signature over ``pdf`` as an incremental update (what the gateway returns)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="BSrE_" + secrets.token_hex(4),
        reason=reason or None,
        location=location or None,
        name=identity.info.common_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    spec = fields.SigFieldSpec(
        sig_field_name=meta.field_name or "BSrE",
        on_page=page - 1 if visible else 0,
        box=box if visible else None,
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=identity.signer, new_field_spec=spec).sign_pdf(
        writer, output=out, bytes_reserved=identity.reserved_bytes()
    )
    return out.getvalue()
