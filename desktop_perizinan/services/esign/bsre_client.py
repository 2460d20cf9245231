"""HTTP client for BSrE's Esign Client Service (the gateway a regency runs on its network).

Request shapes follow the public client ``kiiskominfokepri/esign-ts`` (after BSrE's "Juknis API
Esign Client Service v2.2.1"): V1 ``POST /api/sign/pdf`` multipart (``file``, ``nik``,
``passphrase``, ``tampilan``, ``image``/``imageTTD`` or ``linkQR``, ``page`` + ``xAxis``/
``yAxis``/``width``/``height`` or ``tag_koordinat``), answering the signed PDF itself with an
``id_dokumen`` header; V2 ``POST /api/v2/sign/pdf`` JSON (``nik`` or ``email``, ``passphrase`` or
``totp``, ``signatureProperties`` list, ``file`` list of base64), answering ``{"file": [...]}``.
Errors come as JSON ``{"status_code": 2031, "error": "..."}``; 429/503 on overload.

Why httpx rather than requests: one client object with separate connect/read/write time-outs
(a gateway that accepts the connection and then hangs must fail in seconds, not minutes), typed
exceptions (``ConnectError``, ``ReadTimeout``, ``RemoteProtocolError``) that map one-to-one onto
the messages a signer sees, multipart and JSON bodies from the same call, and an in-process
transport hook the tests do *not* need (they talk to the real simulator over HTTP).

The secret: the client reads it from the :class:`Secret` only while it builds the request body;
it never appears in a log line, an exception message or an exception chain (every httpx
exception is replaced ``from None``: httpx keeps the request, body included, on its errors).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from desktop_perizinan.services.esign.backend import Secret
from desktop_perizinan.services.esign.errors import (
    GatewayBusy,
    GatewayRefused,
    GatewayTimeout,
    GatewayUnreachable,
    SignerNotRegistered,
    SigningError,
    WrongPassphrase,
)

log = logging.getLogger(__name__)

#: Seconds to connect / to wait for the signed answer. Signing is done in about a second by a
#: healthy gateway; 30 s covers a loaded one without freezing the desk for minutes.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
#: Retries after a 429/503 (so 1 + RETRIES attempts), waiting BACKOFF * 2**n seconds between
#: (or the gateway's Retry-After, capped at MAX_WAIT).
RETRIES = 3
BACKOFF = 0.5
MAX_WAIT = 10.0


@dataclass(frozen=True)
class V1Placement:
    """The V1 form fields that say how the signature looks and where it goes."""

    tampilan: str = "invisible"  # "visible" | "invisible"
    page: int = 1
    x_axis: int = 0
    y_axis: int = 0
    width: int = 0
    height: int = 0
    tag_koordinat: str = ""
    link_qr: str = ""
    image_png: bytes = b""

    def form(self) -> dict[str, str]:
        fields = {"tampilan": self.tampilan}
        if self.tampilan != "visible":
            return fields
        if self.image_png:
            fields["image"] = "true"
        else:
            fields["image"] = "false"
            fields["linkQR"] = self.link_qr
        if self.tag_koordinat:
            fields["tag_koordinat"] = self.tag_koordinat
        else:
            fields.update(
                page=str(self.page),
                xAxis=str(self.x_axis),
                yAxis=str(self.y_axis),
                width=str(self.width),
                height=str(self.height),
            )
        return fields

    def v2(self, reason: str, location: str) -> dict[str, Any]:
        """The same placement as one V2 ``signatureProperties`` entry."""
        entry: dict[str, Any] = {
            "tampilan": self.tampilan.upper(),
            "reason": reason,
            "location": location or None,
        }
        if self.tampilan == "visible":
            if self.image_png:
                entry["imageBase64"] = base64.b64encode(self.image_png).decode()
            if self.tag_koordinat:
                entry["tag_koordinat"] = self.tag_koordinat
            else:
                entry.update(
                    page=self.page,
                    originX=self.x_axis,
                    originY=self.y_axis,
                    width=self.width,
                    height=self.height,
                )
        return entry


@dataclass(frozen=True)
class SignedFile:
    pdf: bytes
    document_id: str = ""


class BsreClient:
    """One gateway, one signer identity; use as a context manager (keeps the connection)."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.read_timeout = read_timeout
        self.retries = retries
        self.backoff = backoff
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"Accept": "application/json, application/pdf"},
        )

    def __enter__(self) -> BsreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ transport

    def _post(self, path: str, who: str, secret_kind: str = "passphrase", **kw: Any) -> Any:
        """POST with retry on 429/503; every failure becomes a :class:`SigningError`."""
        attempt = 0
        while True:
            try:
                response = self._http.post(path, **kw)
            except httpx.TimeoutException:
                raise GatewayTimeout(self.base_url, self.read_timeout) from None
            except (httpx.TransportError, OSError):
                raise GatewayUnreachable(self.base_url) from None
            status = response.status_code
            if status in (429, 503) and attempt < self.retries:
                wait = self._wait(response, attempt)
                log.info("BSrE gateway busy (%s), retrying in %.1f s", status, wait)
                time.sleep(wait)
                attempt += 1
                continue
            if status in (429, 503):
                raise GatewayBusy(self.base_url, status, attempt + 1)
            return self._checked(response, who, secret_kind)

    def _get(self, path: str, who: str) -> Any:
        try:
            response = self._http.get(path)
        except httpx.TimeoutException:
            raise GatewayTimeout(self.base_url, self.read_timeout) from None
        except (httpx.TransportError, OSError):
            raise GatewayUnreachable(self.base_url) from None
        if response.status_code in (429, 503):
            raise GatewayBusy(self.base_url, response.status_code, 1)
        return self._checked(response, who, "passphrase")

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        header = response.headers.get("Retry-After", "")
        if header.strip().isdigit():
            return min(float(header), MAX_WAIT)
        return min(self.backoff * (2**attempt), MAX_WAIT)

    def _checked(self, response: httpx.Response, who: str, secret_kind: str) -> httpx.Response:
        """Map a BSrE error body or an HTTP error status onto its message."""
        body: Any = None
        if "json" in response.headers.get("Content-Type", ""):
            try:
                body = response.json()
            except ValueError:
                body = None
        code = ""
        detail = ""
        if isinstance(body, dict):
            raw = body.get("status_code", body.get("code", ""))
            code = str(raw) if raw not in (None, "") else ""
            detail = str(body.get("error") or body.get("message") or "")
        if code == "2011":
            raise SignerNotRegistered(who)
        if code == "2031":
            raise WrongPassphrase(totp=secret_kind == "totp")
        if response.status_code == 401:
            raise GatewayRefused(
                self.base_url,
                "nama pengguna/kata sandi gateway (HTTP Basic) ditolak; periksa pengaturan PC",
                "401",
            )
        if response.status_code != 200 or (isinstance(body, dict) and "error" in body):
            raise GatewayRefused(
                self.base_url,
                _short(detail) or f"HTTP {response.status_code}",
                code or str(response.status_code),
            )
        return response

    # ------------------------------------------------------------------ V1

    def sign_v1(
        self, pdf: bytes, *, nik: str, secret: Secret, placement: V1Placement, name: str
    ) -> SignedFile:
        """``POST /api/sign/pdf``: one file; the answer is the signed PDF itself."""
        form = {"nik": nik, "passphrase": secret.reveal(), **placement.form()}
        files: dict[str, tuple[str, bytes, str]] = {"file": (name, pdf, "application/pdf")}
        if placement.tampilan == "visible" and placement.image_png:
            files["imageTTD"] = ("ttd.png", placement.image_png, "image/png")
        response = self._post("/api/sign/pdf", nik, data=form, files=files)
        document_id = response.headers.get("id_dokumen", "")
        return SignedFile(pdf=response.content, document_id=document_id)

    def download_v1(self, document_id: str, who: str) -> bytes:
        return self._get(f"/api/sign/download/{document_id}", who).content  # type: ignore[no-any-return]

    def verify_v1(self, pdf: bytes) -> dict[str, Any]:
        files = {"signed_file": ("dokumen.pdf", pdf, "application/pdf")}
        return self._post("/api/sign/verify", "", files=files).json()  # type: ignore[no-any-return]

    def status_v1(self, nik: str) -> dict[str, Any]:
        return self._get(f"/api/user/status/{nik}", nik).json()  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ V2

    def sign_v2(
        self,
        pdfs: Sequence[bytes],
        *,
        nik: str,
        email: str,
        secret: Secret,
        properties: list[dict[str, Any]],
    ) -> list[bytes]:
        """``POST /api/v2/sign/pdf``: several files in one call, one result per file."""
        payload: dict[str, Any] = {
            "signatureProperties": properties,
            "file": [base64.b64encode(p).decode("ascii") for p in pdfs],
        }
        if nik:
            payload["nik"] = nik
        if email:
            payload["email"] = email
        payload[secret.kind] = secret.reveal()
        who = nik or email
        body = self._post("/api/v2/sign/pdf", who, secret.kind, json=payload).json()
        files = body.get("file") if isinstance(body, dict) else None
        if not isinstance(files, list) or len(files) != len(pdfs):
            raise GatewayRefused(
                self.base_url, f"jawaban memuat {len(files or [])} berkas untuk {len(pdfs)} dikirim"
            )
        out: list[bytes] = []
        for item in files:
            try:
                out.append(base64.b64decode(str(item), validate=True))
            except ValueError:
                out.append(b"")  # judged (and refused) by the post-flight check
        return out

    def verify_v2(self, pdf: bytes) -> dict[str, Any]:
        payload = {"file": base64.b64encode(pdf).decode("ascii")}
        return self._post("/api/v2/verify/pdf", "", json=payload).json()  # type: ignore[no-any-return]

    def status_v2(self, nik: str = "", email: str = "") -> dict[str, Any]:
        payload = {"nik": nik} if nik else {"email": email}
        who = nik or email
        return self._post("/api/v2/user/check/status", who, json=payload).json()  # type: ignore[no-any-return]


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["BsreClient", "SignedFile", "SigningError", "V1Placement"]
