"""The PKCS#12 backend's core: the signer's own .p12 opened once, and a PAdES signature with it.

- **The parsed key is kept** in a :class:`SigningIdentity`: pyHanko's ``SimpleSigner`` keeps the
  key as DER and re-parses it (with the slow RSA consistency check) twice per signature, about
  100 ms; keeping cryptography's key object makes a signature about 30 ms. Open the PKCS#12
  once and sign a batch with the same identity.
- **An invisible signature field.** Qt's PDF viewer does not draw signature widgets, so the
  visible "Ditandatangani secara elektronik oleh ..." note is drawn into the page by the letter
  renderer (``LetterContext.e_signed_by``) before the file is signed.
- **Nothing secret is stored**: neither the PKCS#12 nor its passphrase is written anywhere.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services.esign.certificates import CertificateInfo
from desktop_perizinan.services.esign.errors import SigningError

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

log = logging.getLogger(__name__)

#: The name of the (invisible) signature field our signatures use.
FIELD_NAME = "TandaTanganElektronik"


def _kept_key_signer(
    key: PrivateKeyTypes, cert: x509.Certificate, chain: Sequence[x509.Certificate]
) -> SimpleSigner:
    """A pyHanko ``SimpleSigner`` that signs with an already parsed key (see the module doc).

    Built on first use, so pyHanko is imported only when something is signed.
    """
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class KeptKeySigner(SimpleSigner):
        """``SimpleSigner`` without the per-signature key re-parse."""

        def sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            return _raw_sign(self, key, data, digest_algorithm)

        async def async_sign_raw(
            self, data: bytes, digest_algorithm: str, dry_run: bool = False
        ) -> bytes:
            return _raw_sign(self, key, data, digest_algorithm)

    def asn1(c: x509.Certificate) -> Any:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    store = SimpleCertificateStore()
    store.register_multiple(asn1(c) for c in chain)
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeptKeySigner(
        signing_cert=asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=store,
    )


def _raw_sign(signer: SimpleSigner, key: Any, data: bytes, digest_algorithm: str) -> bytes:
    """The raw signature with the kept key (RSA PKCS#1 v1.5 / PSS, ECDSA, EdDSA)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

    mechanism = signer.get_signature_mechanism_for_digest(digest_algorithm)
    try:
        algo = mechanism.signature_algo
    except ValueError:
        algo = mechanism["algorithm"].native
    if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
    if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
        padding, hash_algo = process_pss_params(mechanism["parameters"])
        return key.sign(data, padding, hash_algo)
    if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return key.sign(data)
    raise SigningError(f"Jenis kunci sertifikat ini ({algo}) tidak didukung untuk tanda tangan.")


@dataclass
class SigningIdentity:
    """A PKCS#12 opened once: the parsed key, its certificate and chain, ready to sign.

    Holds the private key in memory only; never pickled, never stored. Open it with
    :func:`open_pkcs12` and reuse it for a batch (see the module docstring on speed).
    """

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key: PrivateKeyTypes = field(repr=False)
    _signer: Any = field(default=None, repr=False)

    @property
    def info(self) -> CertificateInfo:
        return CertificateInfo.of(self.certificate)

    def reserved_bytes(self) -> int:
        """Room for the CMS signature in the PDF, in hex digits: the embedded certificates,
        the signature value and the signed attributes, with a generous margin."""
        certs = sum(
            len(c.public_bytes(serialization.Encoding.DER)) for c in (self.certificate, *self.chain)
        )
        size = getattr(self.key, "key_size", 4096) // 8
        der = certs + 2 * size + 4096
        return 2 * (-(-der // 1024) * 1024)

    @property
    def signer(self) -> SimpleSigner:
        if self._signer is None:
            self._signer = _kept_key_signer(self.key, self.certificate, self.chain)
        return self._signer  # type: ignore[no-any-return]

    def __reduce__(self) -> Any:
        """A private key is never serialised, not even by accident (a cache, a queue)."""
        raise TypeError("SigningIdentity memuat kunci privat dan tidak dapat diserialisasi.")


def _looks_like_pkcs12(data: bytes) -> bool:
    """A DER PFX structure (version 3, a data/signed-data auth safe), whatever the passphrase."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in (
            "data",
            "signed_data",
        )
    except Exception:  # asn1crypto raises ValueError/TypeError/KeyError on foreign bytes
        return False


def open_pkcs12(data: bytes, passphrase: str) -> SigningIdentity:
    """Open the signer's PKCS#12 (.p12/.pfx) with its passphrase.

    Refuses, with an Indonesian message: a file that is not PKCS#12, a wrong passphrase, a file
    without a private key or without its certificate.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not data:
        raise ValidationError("Pilih berkas sertifikat elektronik (.p12 atau .pfx).", "p12")
    if not _looks_like_pkcs12(data):
        raise ValidationError(
            "Berkas yang dipilih bukan sertifikat elektronik PKCS#12 (.p12/.pfx). Pilih berkas "
            "sertifikat yang diterbitkan untuk Anda (misalnya dari BSrE).",
            "p12",
        )
    secret = passphrase.encode("utf-8") if passphrase else None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        if secret is None:
            raise ValidationError(
                "Sertifikat ini dilindungi kata sandi; isi kata sandi (passphrase) sertifikat.",
                "passphrase",
            ) from None
        raise ValidationError(
            "Kata sandi (passphrase) sertifikat salah. Periksa huruf besar/kecil lalu coba lagi.",
            "passphrase",
        ) from None
    except Exception:  # an unsupported cipher inside a well-formed PFX, for instance
        log.warning("PKCS#12 could not be opened", exc_info=True)
        raise ValidationError(
            "Sertifikat PKCS#12 tidak dapat dibuka (format atau enkripsinya tidak didukung).",
            "p12",
        ) from None
    if key is None:
        raise ValidationError("Berkas PKCS#12 ini tidak memuat kunci privat.", "p12")
    if cert is None:
        raise ValidationError("Berkas PKCS#12 ini tidak memuat sertifikat penanda tangan.", "p12")
    return SigningIdentity(certificate=cert, chain=tuple(others), key=key)


def identity_from_data(data: dict[str, Any]) -> SigningIdentity:
    """The identity a step's data carries: an opened one ("identitas") or "p12" + "passphrase".

    A screen that signs a batch opens the PKCS#12 once and passes the identity each time.
    """
    ready = data.get("identitas")
    if isinstance(ready, SigningIdentity):
        return ready
    raw = data.get("p12")
    if isinstance(raw, bytearray | memoryview):
        raw = bytes(raw)
    if not isinstance(raw, bytes) or not raw:
        raise ValidationError("Pilih berkas sertifikat elektronik (.p12 atau .pfx).", "p12")
    return open_pkcs12(raw, str(data.get("passphrase") or ""))


def sign_pdf(
    identity: SigningIdentity,
    data: bytes,
    *,
    reason: str = "Menandatangani dokumen",
    location: str = "",
    timestamp_url: str | None = None,
    field_name: str = FIELD_NAME,
) -> bytes:
    """Sign ``data`` with an invisible PAdES signature field; returns the signed PDF.

    B-B without ``timestamp_url``; B-T with it (the TSA is asked over the network, so only when
    the office configured one).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    timestamper = None
    if timestamp_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(timestamp_url, timeout=15)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location or None,
        name=identity.info.common_name or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer=identity.signer,
            timestamper=timestamper,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=None),
        )
        out = io.BytesIO()
        # Without a timestamp the signature's size is known from the certificates: reserving
        # it spares pyHanko a whole dry-run signature (a third of the signing time).
        reserve = None if timestamper is not None else identity.reserved_bytes()
        pdf_signer.sign_pdf(writer, output=out, bytes_reserved=reserve)
    except PdfError as exc:
        raise SigningError(f"Berkas PDF tidak dapat ditandatangani: {exc}") from exc
    except OSError as exc:  # the TSA did not answer
        raise SigningError(
            f"Server cap waktu (TSA) {timestamp_url} tidak dapat dihubungi: {exc}"
        ) from exc
    return out.getvalue()
