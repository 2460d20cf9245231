"""A throwaway certificate authority for the signing tests, made with ``cryptography``.

Real offices sign with certificates from BSrE (Balai Sertifikasi Elektronik); the tests need
the same shapes without a network: a root CA, signer certificates whose subject carries the
signer's name (CN) and NIP (serialNumber), and PKCS#12 files protected by a passphrase.
RSA-2048 keys are generated once per process and reused: generating one costs about 50 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Valid across the demo clock (November 2026) and the real clock of the test machines.
VALID_FROM = datetime(2020, 1, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2036, 1, 1, tzinfo=UTC)
PASSPHRASE = "rahasia-tte"


@cache
def _key(slot: int) -> rsa.RSAPrivateKey:
    """A fixed RSA-2048 key per slot (slot 0 the CA, others the signers)."""
    del slot  # only distinguishes the cache entries
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class TestCA:
    """A root CA that issues signer certificates."""

    __test__ = False  # not a pytest test class

    name: str
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(
        self,
        common_name: str,
        *,
        serial_number: str | None = None,
        not_before: datetime = VALID_FROM,
        not_after: datetime = VALID_UNTIL,
        key_slot: int = 1,
        organization: str = "Pemerintah Kabupaten Dairi",
    ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """A signer certificate: CN = name, serialNumber = NIP (as BSrE puts the NIK/NIP)."""
        key = _key(key_slot)
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
        if serial_number:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
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
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return key, certificate

    def pkcs12(
        self,
        common_name: str,
        *,
        passphrase: str = PASSPHRASE,
        serial_number: str | None = None,
        not_before: datetime = VALID_FROM,
        not_after: datetime = VALID_UNTIL,
        key_slot: int = 1,
    ) -> bytes:
        """A PKCS#12 file (key, certificate, the CA) as a signer would bring it on a flash disk."""
        key, certificate = self.issue(
            common_name,
            serial_number=serial_number,
            not_before=not_before,
            not_after=not_after,
            key_slot=key_slot,
        )
        return pkcs12.serialize_key_and_certificates(
            common_name.encode(),
            key,
            certificate,
            [self.certificate],
            serialization.BestAvailableEncryption(passphrase.encode()),
        )


def make_ca(name: str = "CA Uji Perizinan", *, key_slot: int = 0) -> TestCA:
    """A self-signed root CA (valid 2020–2036)."""
    key = _key(key_slot)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Balai Uji Sertifikasi"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM - timedelta(days=1))
        .not_valid_after(VALID_UNTIL + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestCA(name, key, certificate)


#: The kadis of the demo office (services.demo.DEMO_USERS), as BSrE would name him.
KADIS_NAME = "Drs. Marisi Sianturi, M.Si"
KADIS_NIP = "196511151986021002"


def kadis_pkcs12(ca: TestCA, passphrase: str = PASSPHRASE) -> bytes:
    return ca.pkcs12(KADIS_NAME, serial_number=KADIS_NIP, passphrase=passphrase)
