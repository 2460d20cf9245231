"""Why a signature could not be made, as Indonesian sentences the desk shows unchanged.

Every class is a :class:`~desktop_perizinan.errors.UserError`: the Tugas desk shows ``message``
as it is, and nothing about the case has changed (the signing use case runs in one transaction
that rolls back). ``gateway_down`` tells the desk whether the *service* failed (time-out,
unreachable, overloaded): then it may offer the outage path (tanda tangan basah on the same
number, TTE attached later). A wrong passphrase or an unregistered signer is not an outage.

No message ever contains the passphrase or TOTP; the client builds them from codes and
addresses only.
"""

from __future__ import annotations

from desktop_perizinan.errors import UserError


class SigningError(UserError):
    """A signature could not be made or a certificate was refused (message in Indonesian)."""

    #: The gateway itself failed (not the signer's input): outage mode may be offered.
    gateway_down: bool = False
    #: The BSrE error code or HTTP status, when the gateway gave one.
    code: str = ""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        if code:
            self.code = code


class SignerNotRegistered(SigningError):
    """BSrE 2011: the NIK / e-mail has no certificate at BSrE."""

    code = "2011"

    def __init__(self, who: str) -> None:
        super().__init__(
            f"Penanda tangan {who} belum terdaftar di BSrE (kode 2011). Periksa NIK/e-mail di "
            "Pengaturan > Tanda tangan, atau ajukan pendaftaran sertifikat elektronik ke BSrE."
        )


class WrongPassphrase(SigningError):
    """BSrE 2031: the passphrase (or TOTP) does not open the signer's key."""

    code = "2031"

    def __init__(self, totp: bool = False) -> None:
        what = "Kode TOTP" if totp else "Passphrase"
        super().__init__(
            f"{what} TTE salah (kode 2031). Dokumen belum ditandatangani; periksa huruf "
            "besar/kecil lalu coba lagi. Setelah beberapa kali salah, BSrE dapat mengunci "
            "sertifikat Anda."
        )


class CertificateNotActive(SigningError):
    """The gateway reports the signer's certificate as expired, revoked or not issued yet."""

    def __init__(self, who: str, status: str) -> None:
        super().__init__(
            f"Sertifikat elektronik {who} tidak aktif di BSrE ({status}). Hubungi admin TTE "
            "daerah untuk memperbarui sertifikat, atau gunakan tanda tangan basah."
        )


class GatewayTimeout(SigningError):
    """No answer within the time-out."""

    gateway_down = True

    def __init__(self, url: str, seconds: float) -> None:
        super().__init__(
            f"Layanan TTE (Esign Client Service) di {url} tidak menjawab dalam {seconds:g} "
            "detik. Dokumen belum ditandatangani. Coba lagi nanti, atau tanda tangani basah "
            "dengan nomor yang sama dan lampirkan TTE-nya kemudian."
        )


class GatewayUnreachable(SigningError):
    """No connection (refused, DNS, dropped mid-answer)."""

    gateway_down = True

    def __init__(self, url: str) -> None:
        super().__init__(
            f"Layanan TTE (Esign Client Service) di {url} tidak dapat dihubungi. Periksa "
            "jaringan kantor dan alamat gateway di Pengaturan. Dokumen belum ditandatangani; "
            "bila layanan sedang mati, tanda tangani basah dengan nomor yang sama."
        )


class GatewayBusy(SigningError):
    """429 / 503 still after the retries."""

    gateway_down = True

    def __init__(self, url: str, status: int, attempts: int) -> None:
        reason = "terlalu banyak permintaan" if status == 429 else "layanan tidak tersedia"
        super().__init__(
            f"Layanan TTE di {url} sedang sibuk ({status}: {reason}), juga setelah {attempts} "
            "kali mencoba. Dokumen belum ditandatangani; coba lagi beberapa menit lagi.",
            str(status),
        )


class GatewayRefused(SigningError):
    """Any other refusal of the gateway (an unknown error code, 4xx/5xx, a malformed answer)."""

    def __init__(self, url: str, detail: str, code: str = "") -> None:
        label = f" (kode {code})" if code else ""
        super().__init__(
            f"Layanan TTE di {url} menolak permintaan{label}: {detail}. Dokumen belum "
            "ditandatangani.",
            code,
        )


class InvalidSignedPdf(SigningError):
    """The PDF that came back is corrupt, not signed, signed by someone else, or changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"PDF hasil tanda tangan dari layanan TTE tidak sah: {reason}. Berkas tidak "
            "disimpan dan dokumen belum ditandatangani; coba lagi atau hubungi admin TTE."
        )


class PreflightError(SigningError):
    """The PDF we made is not one BSrE accepts (checked before anything is sent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"PDF belum dapat dikirim ke layanan TTE: {reason}.")
