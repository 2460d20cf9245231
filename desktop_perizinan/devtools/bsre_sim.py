"""A BSrE Esign Client Service simulator: a real HTTP server on 127.0.0.1 for tests and the demo.

It speaks the request shapes of the real gateway (see ``services/esign/bsre_client``):

- V1 ``POST /api/sign/pdf`` (multipart), ``GET /api/sign/download/{id}``,
  ``POST /api/sign/verify`` (multipart ``signed_file``), ``GET /api/user/status/{nik}``;
- V2 ``POST /api/v2/sign/pdf`` (JSON, several files), ``POST /api/v2/verify/pdf``,
  ``POST /api/v2/user/check/status``;
- errors as JSON ``{"status_code": 2011|2031, "error": ...}`` (HTTP 400), 429/503 with
  ``Retry-After``; optional HTTP Basic auth.

It signs with a throwaway CA made at start-up through pyHanko (PAdES, an incremental update
over the bytes received); each registered user gets a certificate with CN = name and
serialNumber = NIK, as BSrE issues them. Faults are injected for the next sign requests with
:meth:`BsreSimulator.inject` or ``POST /_sim/fault`` ``{"fault": ..., "count": n}``:
``2011``, ``2031``, ``429``, ``503``, ``slow`` (answers after ``delay`` seconds), ``hold``
(answers once :meth:`BsreSimulator.release` is called, or after ``delay`` seconds), ``drop``
(closes the connection without an answer), ``corrupt`` (a signed PDF with a flipped byte),
``garbage`` (not a PDF). Response bodies the real service documents only loosely (verify,
status) follow the public client's parsers; the simulator says nothing more than they read.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization

from desktop_perizinan.devtools.bsre_sim_pki import (
    SimError,
    SimUser,
    _marker_box,
    _multipart,
    _Pki,
    _sign,
)

log = logging.getLogger(__name__)

FAULTS = ("2011", "2031", "429", "503", "slow", "hold", "drop", "corrupt", "garbage")


@dataclass
class _Fault:
    kind: str
    delay: float = 0.0


@dataclass
class _State:
    faults: deque[_Fault] = field(default_factory=deque)
    documents: dict[str, bytes] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)  # without secrets
    attempts: int = 0  # sign requests received, answered or not
    lock: threading.Lock = field(default_factory=threading.Lock)
    held: int = 0  # sign requests waiting now at a "hold" fault
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("bsre-sim %s", format % args)

    # -------------------------------------------------------------- plumbing

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("__", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any, **headers: str) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", **headers)

    def _error(self, exc: SimError) -> None:
        data: dict[str, Any] = {"error": exc.message}
        if exc.code is not None:
            data["status_code"] = exc.code
        extra = {"Retry__After": "0"} if exc.http in (429, 503) else {}
        self._json(exc.http, data, **extra)

    def _authorised(self) -> bool:
        expected = self.server.sim.basic_auth
        if expected is None:
            return True
        token = base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode()
        if self.headers.get("Authorization") == f"Basic {token}":
            return True
        self._json(401, {"error": "Unauthorized"}, WWW__Authenticate='Basic realm="esign"')
        return False

    def _fault(self) -> _Fault | None:
        state = self.server.sim.state
        with state.lock:
            return state.faults.popleft() if state.faults else None

    # -------------------------------------------------------------- routes

    def do_GET(self) -> None:
        if not self._authorised():
            return
        sim = self.server.sim
        try:
            if self.path.startswith("/api/sign/download/"):
                doc = sim.state.documents.get(self.path.rsplit("/", 1)[-1])
                if doc is None:
                    raise SimError(404, None, "Dokumen tidak ditemukan")
                self._send(200, doc, "application/pdf")
            elif self.path.startswith("/api/user/status/"):
                self._json(200, sim.status_of(nik=self.path.rsplit("/", 1)[-1]))
            elif self.path == "/_sim/ca.pem":
                self._send(200, sim.ca_pem, "application/x-pem-file")
            else:
                raise SimError(404, None, "Not found")
        except SimError as exc:
            self._error(exc)

    def do_POST(self) -> None:
        if not self._authorised():
            return
        sim = self.server.sim
        body = self._body()
        try:
            if self.path == "/_sim/fault":
                data = json.loads(body or b"{}")
                sim.inject(
                    str(data["fault"]), int(data.get("count", 1)), float(data.get("delay", 0))
                )
                self._json(200, {"ok": True})
                return
            if self.path in ("/api/sign/pdf", "/api/v2/sign/pdf"):
                with sim.state.lock:
                    sim.state.attempts += 1
                fault = self._fault()
                if fault is not None and self._pre_fault(fault):
                    return
                if self.path == "/api/sign/pdf":
                    self._sign_v1(body, fault)
                else:
                    self._sign_v2(body, fault)
            elif self.path == "/api/sign/verify":
                _, files = _multipart(self.headers.get("Content-Type", ""), body)
                self._json(200, sim.verify_v1(files.get("signed_file", b"")))
            elif self.path == "/api/v2/verify/pdf":
                data = json.loads(body or b"{}")
                self._json(200, sim.verify_v2(base64.b64decode(str(data.get("file", "")))))
            elif self.path == "/api/v2/user/check/status":
                data = json.loads(body or b"{}")
                self._json(200, sim.status_of(nik=data.get("nik"), email=data.get("email")))
            else:
                raise SimError(404, None, "Not found")
        except SimError as exc:
            self._error(exc)
        except (ValueError, KeyError) as exc:
            self._error(SimError(400, None, f"Permintaan tidak valid: {type(exc).__name__}"))

    def _pre_fault(self, fault: _Fault) -> bool:
        """Faults that replace the answer; True when the request is done."""
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind == "slow":
            time.sleep(fault.delay or 5.0)
            return False
        if fault.kind == "hold":
            state = self.server.sim.state
            with state.lock:
                state.held += 1
            try:
                state.release.wait(fault.delay or 60.0)
            finally:
                with state.lock:
                    state.held -= 1
            return False
        if fault.kind in ("429", "503"):
            text = "Too Many Requests" if fault.kind == "429" else "Service Unavailable"
            self._error(SimError(int(fault.kind), None, text))
            return True
        if fault.kind == "2011":
            self._error(SimError(400, 2011, "User tidak terdaftar"))
            return True
        if fault.kind == "2031":
            self._error(SimError(400, 2031, "Passphrase anda salah"))
            return True
        return False

    def _damaged(self, pdf: bytes, fault: _Fault | None) -> bytes:
        if fault is None:
            return pdf
        if fault.kind == "garbage":
            return b"<html>Internal error</html>"
        if fault.kind == "corrupt":
            damaged = bytearray(pdf)
            middle = len(damaged) // 3
            damaged[middle] = (damaged[middle] + 1) % 256
            return bytes(damaged)
        return pdf

    def _sign_v1(self, body: bytes, fault: _Fault | None) -> None:
        sim = self.server.sim
        fields, files = _multipart(self.headers.get("Content-Type", ""), body)
        pdf = files.get("file", b"")
        user = sim.authenticate(nik=fields.get("nik"), passphrase=fields.get("passphrase"))
        visible = fields.get("tampilan", "invisible").lower() == "visible"
        page, box = 1, None
        if visible and fields.get("tag_koordinat"):
            index, box = _marker_box(pdf, fields["tag_koordinat"])
            page = index + 1
        elif visible:
            page = int(fields.get("page") or fields.get("halaman") or 1)
            x, y = float(fields.get("xAxis", 0)), float(fields.get("yAxis", 0))
            box = (x, y, x + float(fields.get("width", 0)), y + float(fields.get("height", 0)))
        signed = sim.sign(
            user, pdf, fields.get("reason", ""), fields.get("location", ""), visible, page, box
        )
        doc_id = secrets.token_hex(8)
        sim.state.documents[doc_id] = signed
        sim.record("v1", user.nik, 1, visible)
        self._send(200, self._damaged(signed, fault), "application/pdf", id_dokumen=doc_id)

    def _sign_v2(self, body: bytes, fault: _Fault | None) -> None:
        sim = self.server.sim
        data = json.loads(body or b"{}")
        user = sim.authenticate(
            nik=data.get("nik"),
            email=data.get("email"),
            passphrase=data.get("passphrase"),
            totp=data.get("totp"),
        )
        files = [base64.b64decode(str(f)) for f in data.get("file") or []]
        props = list(data.get("signatureProperties") or [])
        if not files or not props:
            raise SimError(400, None, "file dan signatureProperties wajib diisi")
        out: list[str] = []
        for i, pdf in enumerate(files):
            prop = props[i] if i < len(props) else props[-1]
            visible = str(prop.get("tampilan", "INVISIBLE")).upper() == "VISIBLE"
            page, box = 1, None
            if visible and prop.get("tag_koordinat"):
                index, box = _marker_box(pdf, str(prop["tag_koordinat"]))
                page = index + 1
            elif visible:
                page = int(prop.get("page", 1))
                x, y = float(prop.get("originX", 0)), float(prop.get("originY", 0))
                box = (x, y, x + float(prop.get("width", 0)), y + float(prop.get("height", 0)))
            signed = sim.sign(
                user,
                pdf,
                str(prop.get("reason") or ""),
                str(prop.get("location") or ""),
                visible,
                page,
                box,
            )
            out.append(base64.b64encode(self._damaged(signed, fault)).decode())
        sim.record("v2", user.nik, len(files), False)
        self._json(200, {"file": out, "time": int(time.time() * 1000)})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sim: BsreSimulator


class BsreSimulator:
    """The simulator; ``with BsreSimulator(users=[...]) as sim: sim.url ...``.

    ``port=0`` picks a free port. ``users`` default to :data:`DEMO_USERS`.
    """

    def __init__(
        self,
        users: list[SimUser] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        basic_auth: tuple[str, str] | None = None,
    ) -> None:
        self.users = {u.nik: u for u in (users if users is not None else DEMO_USERS)}
        self.basic_auth = basic_auth
        self.state = _State()
        self.pki = _Pki()
        self._server = _Server((host, port), _Handler)
        self._server.sim = self
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ life

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def ca_pem(self) -> bytes:
        return self.pki.certificate.public_bytes(serialization.Encoding.PEM)

    def start(self) -> BsreSimulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="bsre-sim", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread (the command line); :meth:`close` afterwards."""
        self._server.serve_forever()

    def close(self) -> None:
        self._server.server_close()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BsreSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ control

    def add_user(self, user: SimUser) -> None:
        self.users[user.nik] = user

    def inject(self, fault: str, count: int = 1, delay: float = 0.0) -> None:
        """The next ``count`` sign requests meet ``fault`` (see the module docstring)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        with self.state.lock:
            if fault == "hold":
                self.state.release.clear()
            self.state.faults.extend(_Fault(fault, delay) for _ in range(count))

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()
        self.release()

    def release(self) -> None:
        """Let every request waiting at a ``hold`` fault be answered (and later ones pass)."""
        self.state.release.set()

    @property
    def held(self) -> int:
        """Sign requests waiting now at a ``hold`` fault (a test waits for the first)."""
        return self.state.held

    @property
    def sign_requests(self) -> list[dict[str, Any]]:
        """What was signed (api, nik, files), for assertions; never a secret."""
        return list(self.state.requests)

    @property
    def attempts(self) -> int:
        """Sign requests received so far, including refused and faulted ones."""
        return self.state.attempts

    def record(self, api: str, nik: str, files: int, visible: bool) -> None:
        with self.state.lock:
            self.state.requests.append({"api": api, "nik": nik, "files": files, "visible": visible})

    # ------------------------------------------------------------ behaviour

    def find(self, nik: str | None = None, email: str | None = None) -> SimUser | None:
        if nik:
            return self.users.get(str(nik))
        if email:
            return next((u for u in self.users.values() if u.email == email), None)
        return None

    def authenticate(
        self,
        *,
        nik: str | None = None,
        email: str | None = None,
        passphrase: str | None = None,
        totp: str | None = None,
    ) -> SimUser:
        user = self.find(nik, email)
        if user is None:
            raise SimError(400, 2011, "User tidak terdaftar")
        if user.status != "ISSUE":
            raise SimError(400, 2021, f"Sertifikat tidak aktif ({user.status})")
        good = (passphrase is not None and secrets.compare_digest(passphrase, user.passphrase)) or (
            totp is not None and bool(user.totp) and secrets.compare_digest(totp, user.totp)
        )
        if not good:
            raise SimError(400, 2031, "Passphrase anda salah")
        return user

    def sign(
        self,
        user: SimUser,
        pdf: bytes,
        reason: str,
        location: str,
        visible: bool,
        page: int,
        box: tuple[float, float, float, float] | None,
    ) -> bytes:
        if not pdf.startswith(b"%PDF"):
            raise SimError(400, None, "Dokumen bukan PDF")
        try:
            return _sign(
                self.pki.identity(user),
                pdf,
                reason=reason,
                location=location,
                visible=visible,
                page=page,
                box=box,
            )
        except Exception as exc:  # what BSrE says for a PDF it cannot rebuild
            log.info("bsre-sim could not sign", exc_info=True)
            raise SimError(400, None, f"Rebuild failed: {type(exc).__name__}") from None

    def status_of(self, nik: str | None = None, email: str | None = None) -> dict[str, Any]:
        user = self.find(nik, email)
        if user is None:
            return {
                "status_code": 2011,
                "status": "NOT_REGISTERED",
                "message": "User tidak terdaftar",
            }
        return {"status_code": 1111, "status": user.status, "message": "Status sertifikat"}

    def _validate(self, pdf: bytes) -> list[Any]:
        from desktop_perizinan.services.esign.validation import UnreadablePdf, validate_signatures

        try:
            return validate_signatures(pdf, [self.pki.certificate])
        except UnreadablePdf as exc:
            raise SimError(400, None, exc.message) from None

    def verify_v1(self, pdf: bytes) -> dict[str, Any]:
        reports = self._validate(pdf)
        return {
            "nama_dokumen": "dokumen.pdf",
            "jumlah_signature": len(reports),
            "summary": "VALID" if reports and all(r.ok for r in reports) else "INVALID",
            "notes": " ".join(m for r in reports for m in r.messages),
            "details": [
                {
                    "info_signer": {
                        "signer_name": r.signer_name,
                        "signer_dn": r.signer.subject if r.signer else "",
                    },
                    "signature_document": {
                        "integrity": r.intact,
                        "covers_document": r.covers_document,
                    },
                    "trusted": r.trusted,
                }
                for r in reports
            ],
        }

    def verify_v2(self, pdf: bytes) -> dict[str, Any]:
        reports = self._validate(pdf)
        valid = bool(reports) and all(r.ok for r in reports)
        return {
            "conclusion": "VALID" if valid else ("NO_SIGNATURE" if not reports else "INVALID"),
            "description": " ".join(m for r in reports for m in r.messages),
            "signatureInformations": [
                {
                    "signerName": r.signer_name,
                    "integrityValid": r.intact,
                    "certificateTrusted": r.trusted,
                }
                for r in reports
            ],
        }


#: Signers the demo and ``perizinan dev bsre-sim`` know (the demo office's Kadis and Kabid).
DEMO_USERS = [
    SimUser(
        nik="1211010101700001",
        name="Drs. Marisi Sianturi, M.Si",
        passphrase="rahasia-bsre",
        email="kadis@dairikab.go.id",
        totp="123456",
    ),
]
