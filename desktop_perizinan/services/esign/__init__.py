"""Electronic signatures (PAdES): the signer's own PKCS#12, or BSrE's Esign Client Service.

The package replaces the former ``services/esign.py`` (844 lines), split along its seams; every
name it had is re-exported here, so ``from desktop_perizinan.services import esign`` and
``esign.sign_pdf(...)`` keep working. Modules:

- ``certificates``: what a certificate says and whether it names the signer;
- ``pkcs12``: the signer's own .p12 (parsed key kept) and a PAdES signature with it;
- ``validation``: judging the signatures of a PDF offline;
- ``trust``: the CA certificates the office trusts, the TSA address;
- ``importing``: the number book of a signing step, importing a PDF signed elsewhere;
- ``errors``: :class:`SigningError` and one subclass per way signing fails (Indonesian text);
- ``backend``: the :class:`SigningBackend` protocol, the PKCS#12 backend;
- ``selection``: :func:`backend_for`, the backend of a signer per Pengaturan;
- ``signer_config``: per-signer settings (``signer_setting``, migration 0006);
- ``bsre_client`` / ``bsre_backend`` / ``preflight``: BSrE over HTTP (see docs/bsre_api.md).

Why PAdES B-B by default: a CMS signature with the signing certificate as a signed attribute;
**B-T** (a TSA timestamp) only when the office set a TSA address (:data:`TSA_URL_KEY`): the
office works offline. Nothing secret is stored: neither the PKCS#12 nor a passphrase/TOTP.
"""

from __future__ import annotations

from desktop_perizinan.services.esign.backend import (
    ExpectedSigner,
    Pkcs12Backend,
    Secret,
    SignedPdf,
    SigningBackend,
    SignRequest,
)
from desktop_perizinan.services.esign.certificates import (
    CertificateInfo,
    belongs_to,
    check_belongs_to,
    check_usage,
    check_validity,
    core_name,
    load_certificates,
)
from desktop_perizinan.services.esign.errors import (
    CertificateNotActive,
    GatewayBusy,
    GatewayRefused,
    GatewayTimeout,
    GatewayUnreachable,
    InvalidSignedPdf,
    PreflightError,
    SignerNotRegistered,
    SigningError,
    WrongPassphrase,
)
from desktop_perizinan.services.esign.importing import (
    IMPORT_ROLES,
    ImportResult,
    following_number_book,
    import_signed,
)
from desktop_perizinan.services.esign.pkcs12 import (
    FIELD_NAME,
    SigningIdentity,
    identity_from_data,
    open_pkcs12,
    sign_pdf,
)
from desktop_perizinan.services.esign.selection import backend_for, secret_from_data
from desktop_perizinan.services.esign.signer_config import (
    BACKEND_BSRE,
    BACKEND_PKCS12,
    SignerConfig,
    config_for,
    get_signer_config,
    list_signer_configs,
    save_signer_config,
)
from desktop_perizinan.services.esign.trust import (
    TRUST_ROOTS_KEY,
    TSA_URL_KEY,
    add_trust_root,
    list_trust_roots,
    remove_trust_root,
    timestamp_url,
    trust_roots,
)
from desktop_perizinan.services.esign.validation import (
    LEVEL_B_B,
    LEVEL_B_T,
    SignatureReport,
    UnreadablePdf,
    has_signatures,
    validate_signatures,
)

__all__ = [
    "BACKEND_BSRE",
    "BACKEND_PKCS12",
    "FIELD_NAME",
    "IMPORT_ROLES",
    "LEVEL_B_B",
    "LEVEL_B_T",
    "TRUST_ROOTS_KEY",
    "TSA_URL_KEY",
    "CertificateInfo",
    "CertificateNotActive",
    "ExpectedSigner",
    "GatewayBusy",
    "GatewayRefused",
    "GatewayTimeout",
    "GatewayUnreachable",
    "ImportResult",
    "InvalidSignedPdf",
    "Pkcs12Backend",
    "PreflightError",
    "Secret",
    "SignRequest",
    "SignatureReport",
    "SignedPdf",
    "SignerConfig",
    "SignerNotRegistered",
    "SigningBackend",
    "SigningError",
    "SigningIdentity",
    "UnreadablePdf",
    "WrongPassphrase",
    "add_trust_root",
    "backend_for",
    "belongs_to",
    "check_belongs_to",
    "check_usage",
    "check_validity",
    "config_for",
    "core_name",
    "following_number_book",
    "get_signer_config",
    "has_signatures",
    "identity_from_data",
    "import_signed",
    "list_signer_configs",
    "list_trust_roots",
    "load_certificates",
    "open_pkcs12",
    "remove_trust_root",
    "save_signer_config",
    "secret_from_data",
    "sign_pdf",
    "timestamp_url",
    "trust_roots",
    "validate_signatures",
]
