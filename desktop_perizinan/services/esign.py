"""Electronic signatures (PAdES) with the signer's PKCS#12 certificate, and their validation.

Why this shape:

- **PAdES B-B** by default: a CMS signature with the signing certificate as a signed attribute
  (pyHanko's PAdES subfilter). **B-T** (a timestamp from a TSA) only when the office has set a
  TSA address in the settings (:data:`TSA_URL_KEY`); the office works offline, so out of the box
  there is no timestamp and the signing time is the one the signer's PC claims.
- **An invisible signature field.** Qt's PDF viewer does not draw signature widgets, so the
  visible "Ditandatangani secara elektronik oleh …" note is drawn into the page by the letter
  renderer (``LetterContext.e_signed_by``) before the file is signed.
- **The parsed key is kept** in a :class:`SigningIdentity`: pyHanko's ``SimpleSigner`` keeps the
  key as DER and re-parses it (with the slow RSA consistency check) twice per signature, about
  100 ms; keeping cryptography's key object makes a signature about 30 ms. Open the PKCS#12
  once and sign a batch with the same identity.
- **Nothing secret is stored**: neither the PKCS#12 nor its passphrase is written anywhere; the
  case records only the certificate's subject, serial and fingerprint.
- **Validation is offline**: no OCSP/CRL fetching; trust means "chains to a CA certificate the
  office added in Pengaturan" (:data:`TRUST_ROOTS_KEY`), e.g. the BSrE root.

Every refusal is a :class:`~desktop_perizinan.errors.UserError` with an Indonesian sentence;
pyHanko's and cryptography's exceptions never reach the user as a traceback.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from desktop_perizinan.errors import NotFound, UserError, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.settings import get_value, set_value

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.app import Services

log = logging.getLogger(__name__)

#: Settings key: the CA certificates the office trusts, a list of {"pem", "subject", ...}.
TRUST_ROOTS_KEY = "esign_trust_roots"
#: Settings key: the address of a timestamp authority (RFC 3161); empty = no timestamp (B-B).
TSA_URL_KEY = "esign_tsa_url"
#: The name of the (invisible) signature field our signatures use.
FIELD_NAME = "TandaTanganElektronik"
LEVEL_B_B = "PAdES B-B"
LEVEL_B_T = "PAdES B-T"


class SigningError(UserError):
    """A signature could not be made or a certificate was refused (message in Indonesian)."""


# ------------------------------------------------------------------------------ certificates


@dataclass(frozen=True)
class CertificateInfo:
    """What a person needs to recognise a certificate, and what the case records of it."""

    subject: str  # RFC 4514, e.g. "CN=...,O=...,C=ID"
    common_name: str
    subject_serial: str  # the subject's serialNumber attribute (BSrE: NIK or NIP), or ""
    serial: str  # the certificate's serial number, hex
    fingerprint: str  # SHA-256 of the DER, hex
    issuer: str
    not_before: datetime  # UTC
    not_after: datetime  # UTC

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateInfo:
        return cls(
            subject=cert.subject.rfc4514_string(_NAMES),
            common_name=_name_attr(cert.subject, NameOID.COMMON_NAME),
            subject_serial=_name_attr(cert.subject, NameOID.SERIAL_NUMBER),
            serial=f"{cert.serial_number:X}",
            fingerprint=cert.fingerprint(_sha256()).hex(),
            issuer=cert.issuer.rfc4514_string(_NAMES),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )

    def as_record(self) -> dict[str, str]:
        """The JSON kept in a step's data: identifies the certificate, reveals nothing secret."""
        return {
            "subjek": self.subject,
            "serial": self.serial,
            "sidik_jari_sha256": self.fingerprint,
            "penerbit": self.issuer,
            "berlaku_sampai": self.not_after.date().isoformat(),
        }


#: Readable names for subject attributes RFC 4514 prints as numbers (BSrE puts NIK/NIP there).
_NAMES = {NameOID.SERIAL_NUMBER: "serialNumber", NameOID.EMAIL_ADDRESS: "emailAddress"}


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or more) or DER bytes; a clear message for anything else."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise ValidationError(
            "Berkas bukan sertifikat X.509 (PEM atau DER, misalnya .cer/.crt/.pem)."
        ) from None
    if not certs:
        raise ValidationError("Berkas tidak memuat sertifikat.")
    return certs


# ------------------------------------------------------------------------------ the identity


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


def _aware(moment: datetime) -> datetime:
    """Office times are naive local times; certificates speak UTC."""
    return moment.astimezone(UTC) if moment.tzinfo is None else moment


def check_validity(info: CertificateInfo, at: datetime) -> None:
    """Refuse a certificate that has expired or is not valid yet at ``at``."""
    from desktop_perizinan.documents.dates import format_date

    moment = _aware(at)
    if moment > info.not_after:
        raise ValidationError(
            f"Sertifikat elektronik atas nama {info.common_name or info.subject} sudah kedaluwarsa "
            f"sejak {format_date(info.not_after.date())}. Perpanjang sertifikat pada penerbitnya "
            "(misalnya BSrE), atau gunakan tanda tangan basah.",
            "p12",
        )
    if moment < info.not_before:
        raise ValidationError(
            f"Sertifikat elektronik atas nama {info.common_name or info.subject} belum berlaku; "
            f"berlaku mulai {format_date(info.not_before.date())}.",
            "p12",
        )


def check_usage(cert: x509.Certificate) -> None:
    """Refuse a certificate whose key usage excludes signing (an encryption-only certificate)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise ValidationError(
            "Sertifikat ini tidak diterbitkan untuk tanda tangan (penggunaan kuncinya bukan "
            "tanda tangan digital).",
            "p12",
        )


#: Academic and religious titles written before a name ("Drs.", "Ir.", "Hj.").
_PREFIX_TITLE = re.compile(r"^(?:[A-Za-z]{1,4}\.)+$")


def core_name(name: str) -> str:
    """A name without titles, case, accents or punctuation, for comparing people.

    Indonesian usage writes post-nominal titles after a comma ("Marisi Sianturi, M.Si") and
    pre-nominal ones as abbreviations with a dot ("Drs."); a certificate usually has the bare
    name in capitals. "Drs. Marisi Sianturi, M.Si" and "MARISI SIANTURI" are the same person.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.split(",")[0]
    words = [w for w in text.split() if not _PREFIX_TITLE.match(w)]
    return " ".join(re.sub(r"[^a-z0-9']", "", w.lower()) for w in words if w).strip()


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def belongs_to(info: CertificateInfo, *, full_name: str, nip: str) -> bool:
    """Whether the certificate names this person: the NIP (in serialNumber or anywhere in the
    subject), or the name in CN once titles are set aside."""
    nip_digits = _digits(nip)
    if len(nip_digits) >= 8 and (
        _digits(info.subject_serial) == nip_digits or nip_digits in _digits(info.subject)
    ):
        return True
    wanted = core_name(full_name)
    return bool(wanted) and wanted in (core_name(info.common_name), core_name(info.subject_serial))


def check_belongs_to(info: CertificateInfo, *, full_name: str, nip: str) -> None:
    """Refuse a certificate that does not name the signer of the step."""
    if not belongs_to(info, full_name=full_name, nip=nip):
        who = f"{full_name}" + (f" (NIP {nip})" if nip else "")
        raise ValidationError(
            f"Sertifikat ini milik {info.common_name or info.subject}, bukan milik {who} yang "
            "menandatangani langkah ini. Gunakan sertifikat elektronik Anda sendiri.",
            "p12",
        )


# ------------------------------------------------------------------------------ signing


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


# ------------------------------------------------------------------------------ validation


@dataclass(frozen=True)
class SignatureReport:
    """One signature of a PDF, judged offline; ``messages`` say it in Indonesian."""

    field_name: str
    signer: CertificateInfo | None
    signing_time: datetime | None  # as the signer claims it (no timestamp: not proven)
    timestamp_time: datetime | None  # from a TSA, when the signature has one (B-T)
    intact: bool  # the signed bytes are unchanged and the signature is cryptographically valid
    covers_document: bool  # no change after signing other than what signatures may add
    trusted: bool  # the certificate chains to a CA the office trusts
    level: str
    messages: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.intact and self.covers_document and self.trusted

    @property
    def signer_name(self) -> str:
        return self.signer.common_name or self.signer.subject if self.signer else "(tidak dikenal)"


class UnreadablePdf(UserError):
    """The bytes are not a PDF pyHanko can read (so no signature can be checked)."""


def _asn1(cert: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def has_signatures(data: bytes) -> bool:
    """Cheap test before the heavier validation: a signature dictionary is in the bytes."""
    return b"/ByteRange" in data


def validate_signatures(
    data: bytes, trust_roots: Iterable[x509.Certificate] = ()
) -> list[SignatureReport]:
    """Judge every signature of a PDF, ours or signed elsewhere (e.g. with the BSrE tools).

    Offline: no revocation fetching; "trusted" means the certificate chains to one of
    ``trust_roots``. Raises :class:`UnreadablePdf` when the file cannot be read at all.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [_asn1(c) for c in trust_roots]
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises PdfReadError, ValueError, KeyError... on junk
        raise UnreadablePdf(f"Berkas PDF tidak dapat dibaca: {exc}") from None
    reports: list[SignatureReport] = []
    for sig in embedded:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            status = validate_pdf_signature(sig, context)
        except Exception:  # a malformed CMS blob, an unsupported algorithm
            log.info("signature %s could not be validated", sig.field_name, exc_info=True)
            reports.append(
                SignatureReport(
                    field_name=str(sig.field_name),
                    signer=None,
                    signing_time=None,
                    timestamp_time=None,
                    intact=False,
                    covers_document=False,
                    trusted=False,
                    level="",
                    messages=(f"Tanda tangan '{sig.field_name}' rusak dan tidak dapat diperiksa.",),
                )
            )
            continue
        reports.append(_report(sig.field_name, status, bool(roots)))
    return reports


def _report(field_name: str, status: Any, have_roots: bool) -> SignatureReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from desktop_perizinan.documents.dates import format_date

    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    info = CertificateInfo.of(cert)
    intact = bool(status.intact and status.valid)
    coverage = status.coverage
    level = status.modification_level
    covers = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
    )
    trusted = bool(status.trusted)
    ts = status.timestamp_validity
    messages: list[str] = []
    who = info.common_name or info.subject
    if intact:
        messages.append(f"Tanda tangan {who} utuh: isi yang ditandatangani tidak berubah.")
    else:
        messages.append(
            f"Tanda tangan {who} TIDAK SAH: isi berkas telah berubah setelah ditandatangani "
            "atau tanda tangannya rusak."
        )
    if intact and not covers:
        messages.append(
            "Berkas diubah setelah ditandatangani (ada tambahan di luar bagian yang "
            "ditandatangani)."
        )
    if trusted:
        messages.append("Sertifikat berantai ke CA terpercaya yang terdaftar di Pengaturan.")
    elif not have_roots:
        messages.append(
            "Keterpercayaan sertifikat belum dapat dinilai: belum ada sertifikat CA terpercaya "
            "di Pengaturan (misalnya sertifikat akar BSrE)."
        )
    elif status.revoked:
        messages.append("Sertifikat penanda tangan telah dicabut.")
    else:
        messages.append(
            f"Sertifikat {who} (diterbitkan oleh {_issuer_cn(info)}) tidak berantai ke CA "
            "terpercaya di Pengaturan, atau tidak berlaku pada saat pemeriksaan."
        )
    signing_time = status.signer_reported_dt
    if ts is not None:
        messages.append(f"Cap waktu dari TSA: {format_date(ts.timestamp.date())}.")
    else:
        messages.append(
            "Tanpa cap waktu (PAdES B-B): waktu tanda tangan adalah waktu komputer penanda tangan."
        )
    return SignatureReport(
        field_name=str(field_name),
        signer=info,
        signing_time=signing_time,
        timestamp_time=ts.timestamp if ts is not None else None,
        intact=intact,
        covers_document=covers,
        trusted=trusted,
        level=LEVEL_B_T if ts is not None else LEVEL_B_B,
        messages=tuple(messages),
    )


def _issuer_cn(info: CertificateInfo) -> str:
    match = re.search(r"CN=([^,]+)", info.issuer)
    return match.group(1) if match else info.issuer


# ------------------------------------------------------------------------------ trust roots


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


# ------------------------------------------------------------------------------ the flow


def following_number_book(pt: Any, step: Any) -> str:
    """The book of the penomoran step that follows a tanda_tangan step for the same document.

    Walks the step's outcomes forward (breadth first, "kembalikan" loops left out) to the first
    penomoran step of the same document; without one, the permit's book for "izin" and
    "surat_keluar" for any other letter, as the penomoran step itself would choose.
    """
    from dataclasses import replace

    from desktop_perizinan.workflow.definition import Action
    from desktop_perizinan.workflow.paths import FlowGraph

    graph = FlowGraph.from_steps(pt.steps)
    seen = {step.id}
    queue = list(graph.forward(step.id))
    while queue:
        current = pt.step(queue.pop(0))
        if current.id in seen:
            continue
        seen.add(current.id)
        if current.action is Action.NUMBER and current.document == step.document:
            return pt.number_book(current)
        queue.extend(graph.forward(current.id))
    # The signing step names no book of its own; the same rule as a numbering step's.
    return pt.number_book(replace(step, book=None))


@dataclass(frozen=True)
class ImportResult:
    document_id: int
    version: int
    number: str
    signatures: tuple[SignatureReport, ...]
    messages: tuple[str, ...]


#: Roles that may bring a document signed elsewhere back into its case.
IMPORT_ROLES = ("backoffice", "ksb_umum", "kadis", ADMIN_ROLE)


def import_signed(services: Services, actor: Actor, document_id: int, data: bytes) -> ImportResult:
    """Store a PDF signed outside the app (e.g. with the BSrE tools) as the document's final.

    Decided about trust: the file is accepted only when every signature is intact, the last
    one covers the whole file, at least one signature chains to a CA the office trusts
    (Pengaturan), and the text carries the document's number. An untrusted signature is refused
    rather than stored with a warning: the stored final is what the verification screen and
    ``perizinan verify`` vouch for afterwards, so it must not rest on a certificate nobody
    checked. With no trust roots configured the refusal says so, and the administrator adds
    the issuer's CA certificate (e.g. the BSrE root) first.
    """
    from desktop_perizinan.db.models import Document, DocumentVersion
    from desktop_perizinan.services.steps import lock_case

    actor.require(*IMPORT_ROLES, what="mengimpor dokumen bertanda tangan elektronik")
    if not data.startswith(b"%PDF"):
        raise ValidationError("Berkas yang dipilih bukan PDF.")
    now = services.now()
    with services.db.transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound("Dokumen tidak ditemukan.")
        lock_case(session, doc.case_id)
        if doc.number is None or doc.status != "final":
            raise ValidationError(
                "Dokumen ini belum bernomor dan belum final; hanya dokumen final yang dapat "
                "diganti dengan versi bertanda tangan elektronik."
            )
        roots = trust_roots(session)
        try:
            reports = validate_signatures(data, roots)
        except UnreadablePdf as exc:
            raise ValidationError(exc.message) from None
        if not reports:
            raise ValidationError("Berkas ini tidak memuat tanda tangan elektronik.")
        broken = [r for r in reports if not r.intact]
        if broken:
            raise ValidationError(
                "Tanda tangan pada berkas tidak utuh: "
                + "; ".join(f"{r.field_name} ({r.signer_name})" for r in broken)
                + ". Berkas tidak disimpan."
            )
        if not reports[-1].covers_document:
            raise ValidationError(
                "Berkas diubah setelah tanda tangan terakhir; berkas tidak disimpan."
            )
        if not roots:
            raise ValidationError(
                "Belum ada sertifikat CA terpercaya di Pengaturan, sehingga tanda tangan tidak "
                "dapat dinilai. Minta administrator menambahkan sertifikat akar penerbit "
                "(misalnya BSrE), lalu impor lagi."
            )
        if not any(r.trusted for r in reports):
            raise ValidationError(
                "Sertifikat penanda tangan tidak berantai ke CA terpercaya di Pengaturan: "
                + "; ".join(f"{r.signer_name}" for r in reports)
                + ". Berkas tidak disimpan."
            )
        from desktop_perizinan.services.verification import pdf_text_lines

        text = " ".join(" ".join(pdf_text_lines(data)).split())
        if doc.number not in text:
            raise ValidationError(
                f"Nomor dokumen {doc.number} tidak ditemukan dalam teks berkas; berkas ini "
                "bukan dokumen tersebut."
            )
        last = session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == doc.id)
            .order_by(DocumentVersion.version.desc())
        ).first()
        assert last is not None
        version = DocumentVersion(
            document_id=doc.id,
            version=last.version + 1,
            body={
                **dict(last.body),
                "impor_tte": [
                    {
                        "penanda_tangan": r.signer.as_record() if r.signer else None,
                        "terpercaya": r.trusted,
                    }
                    for r in reports
                ],
            },
            pdf=data,
            sha256=hashlib.sha256(data).hexdigest(),
            final=True,
            created_at=now,
            created_by=actor.id,
        )
        session.add(version)
        doc.sign_mode = "elektronik"
        session.flush()
        audit.append(
            session,
            actor,
            "dokumen.impor_tte",
            at=now,
            case_id=doc.case_id,
            nomor=doc.number,
            versi=version.version,
            sha256=version.sha256,
            penanda_tangan=[r.signer_name for r in reports],
        )
        messages = [m for r in reports for m in r.messages]
        messages.append(f"Disimpan sebagai versi final ke-{version.version} dokumen {doc.number}.")
        return ImportResult(
            document_id=doc.id,
            version=version.version,
            number=doc.number,
            signatures=tuple(reports),
            messages=tuple(messages),
        )
