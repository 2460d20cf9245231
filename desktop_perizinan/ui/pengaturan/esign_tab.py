"""The Tanda tangan elektronik tab: the CA certificates the office trusts, and the timestamp
server (TSA).

Why an administrator sets these here: the app judges signatures offline (no OCSP or CRL, the
office often has no internet), so "trusted" can only mean "chains to a CA certificate the office
chose", typically the BSrE root and its intermediates. That list decides whether a PDF signed
elsewhere may be imported as a case's final and what the Verifikasi screen says, so it is
changed only through ``services.esign`` (administrators only, every change in the audit log).

The timestamp server is optional: without one a signature is PAdES B-B and its time is the one
the signer's PC claims; with one every electronic signature asks that server over the network,
and fails with a message when it cannot be reached. The tab says so next to the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cryptography import x509
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.services import audit, esign
from desktop_perizinan.services.actor import ADMIN_ROLE
from desktop_perizinan.services.settings import set_value
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.pengaturan.esign_signers import SignerSettings
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.formatting import short_date, size_text
from desktop_perizinan.ui.widgets.messages import ask, report_error
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services

#: A CA certificate (or a PEM bundle of a few) is a few kilobytes; anything far bigger is not one.
MAX_CERTIFICATE_BYTES = 1024 * 1024
CERTIFICATE_FILTER = "Sertifikat CA (*.cer *.crt *.pem *.der);;Semua berkas (*)"


# ---------------------------------------------------------------------------- the TSA setting
#
# services.esign reads TSA_URL_KEY but has no function to write it yet; these two keep the rule
# (administrators only, audited, one transaction) in one place until it moves there.


def read_timestamp_url(services: Services) -> str:
    """The configured TSA address, or "" when signatures carry no timestamp."""
    with services.db.reading() as session:
        return esign.timestamp_url(session) or ""


def save_timestamp_url(services: Services, actor: Actor, url: str) -> bool:
    """Store the TSA address ("" = none); returns False when it was already that value."""
    actor.require(ADMIN_ROLE, what="mengubah server cap waktu (TSA)")
    url = url.strip()
    with services.db.transaction() as session:
        if (esign.timestamp_url(session) or "") == url:
            return False
        set_value(session, esign.TSA_URL_KEY, url)
        audit.append(
            session,
            actor,
            "pengaturan.tsa",
            at=services.now(),
            alamat=url or "(tanpa cap waktu)",
        )
    return True


def check_tsa_url(url: str) -> str:
    """Why ``url`` cannot be a TSA address ("" when it can, or when it is empty)."""
    url = url.strip()
    if not url:
        return ""
    example = "misalnya http://tsa.penerbit.go.id/"
    if any(ch.isspace() for ch in url):
        return f"Alamat TSA tidak boleh berisi spasi; {example}."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"Alamat TSA harus diawali http:// atau https://, {example}."
    if not parts.hostname:
        return f"Alamat TSA tidak lengkap: nama servernya tidak ada; {example}."
    return ""


# ---------------------------------------------------------------------------- texts


def _utc(moment: datetime) -> datetime:
    """The office clock is naive local time; certificates speak UTC."""
    return moment.astimezone(UTC) if moment.tzinfo is None else moment


def validity_problem(info: esign.CertificateInfo, now: datetime) -> str:
    """Empty while the certificate is valid at ``now``; else what is wrong, in words."""
    moment = _utc(now)
    if moment > info.not_after:
        return f"kedaluwarsa sejak {short_date(info.not_after.date())}"
    if moment < info.not_before:
        return f"belum berlaku sampai {short_date(info.not_before.date())}"
    return ""


def fingerprint_text(fingerprint: str) -> str:
    """SHA-256 as the issuers publish it and Windows shows it: "AB:CD:…", upper case."""
    hexa = fingerprint.upper()
    return ":".join(hexa[i : i + 2] for i in range(0, len(hexa), 2))


def short_fingerprint(fingerprint: str) -> str:
    """Enough of the fingerprint to tell two certificates apart in a list."""
    hexa = fingerprint.upper()
    return f"{hexa[:8]} {hexa[8:16]} … {hexa[-8:]}"


def _issuer_name(info: esign.CertificateInfo) -> str:
    for part in info.issuer.split(","):
        if part.startswith("CN="):
            return part[3:]
    return info.issuer


def _name(info: esign.CertificateInfo) -> str:
    return info.common_name or info.subject


def trust_root_columns(now: Callable[[], datetime]) -> tuple[Column[esign.CertificateInfo], ...]:
    """The list's columns; validity is judged against the office clock (``services.now``),
    so an expired CA shows red in the list before anyone wonders why imports are refused."""

    def validity(info: esign.CertificateInfo) -> str:
        text = f"{short_date(info.not_before.date())} s.d. {short_date(info.not_after.date())}"
        problem = validity_problem(info, now())
        return f"{text} ({problem})" if problem else text

    return (
        Column("Subjek", _name, tooltip=lambda i: i.subject, stretch=True),
        Column("Penerbit", _issuer_name, tooltip=lambda i: i.issuer),
        Column(
            "Masa berlaku",
            validity,
            sort_key=lambda i: i.not_after,
            color=lambda i: color("error") if validity_problem(i, now()) else None,
        ),
        Column(
            "Sidik jari SHA-256",
            lambda i: short_fingerprint(i.fingerprint),
            tooltip=lambda i: fingerprint_text(i.fingerprint),
        ),
    )


def _choose_certificate_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Pilih sertifikat CA terpercaya", "", CERTIFICATE_FILTER
    )
    return path


# ---------------------------------------------------------------------------- the tab


class EsignTab(QWidget):
    """Trusted CA certificates (list, add from a file, remove) and the optional TSA address."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("esignTab")
        self._s = services
        self._actor = actor
        self._tsa_saved = ""
        self.message: QMessageBox | None = None
        #: Asks for the certificate file; replaced in tests.
        self.choose_certificate: Callable[[QWidget], str] = _choose_certificate_file

        intro = QLabel(
            "Tanda tangan elektronik pada dokumen, termasuk dokumen yang ditandatangani di luar "
            "aplikasi (misalnya dengan aplikasi BSrE) lalu diimpor, dinilai <b>terpercaya</b> "
            "hanya bila sertifikat penanda tangannya berantai ke salah satu sertifikat CA di "
            "bawah ini. Pemeriksaan dilakukan tanpa internet. Tambahkan sertifikat akar (root) "
            "dan sertifikat perantara dari penerbit sertifikat pegawai kantor Anda.",
            self,
        )
        intro.setWordWrap(True)
        set_role(intro, "hint")
        self.banner = make_banner(self, "esignBanner")

        # ------------------------------------------------------------ trusted CAs
        self.add_button = QPushButton(icon("baru"), "Tambah sertifikat &CA…", self)
        self.add_button.setObjectName("addTrustRoot")
        self.add_button.setToolTip("Pilih berkas sertifikat CA (.cer, .crt, .pem atau .der).")
        self.remove_button = QPushButton("&Hapus dari daftar…", self)
        self.remove_button.setObjectName("removeTrustRoot")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_certificate)
        self.remove_button.clicked.connect(self.remove_selected)

        self.model: RowsModel[esign.CertificateInfo] = RowsModel(
            trust_root_columns(services.now), self
        )
        self.view = RowsView(self.model, self)
        self.view.setObjectName("trustRoots")
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._show_selected())
        self.view.activated.connect(lambda _i: self._show_selected())
        self.count_label = QLabel(self)
        set_role(self.count_label, "hint")
        self.details = QLabel(self)
        self.details.setObjectName("trustRootDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QShortcut(QKeySequence("Ins"), self, self.add_certificate)
        remove_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        remove_key.activated.connect(self.remove_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        roots_box = QGroupBox("Sertifikat CA terpercaya", self)
        roots_layout = QVBoxLayout(roots_box)
        roots_layout.addLayout(buttons)
        roots_layout.addWidget(self.view, 1)
        roots_layout.addWidget(self.details)

        # ------------------------------------------------------------ timestamp server
        self.tsa_edit = QLineEdit(self)
        self.tsa_edit.setObjectName("tsaUrl")
        self.tsa_edit.setPlaceholderText(
            "Kosongkan bila tidak memakai cap waktu; misalnya http://tsa.penerbit.go.id/"
        )
        self.tsa_edit.setClearButtonEnabled(True)
        self.tsa_edit.textEdited.connect(lambda _t: self.tsa_box.clear_message())
        self.tsa_edit.returnPressed.connect(self.save_tsa)
        self.tsa_box = FieldBox(self.tsa_edit, self)
        self.tsa_button = QPushButton(icon("simpan"), "Si&mpan alamat TSA", self)
        self.tsa_button.setObjectName("saveTsa")
        self.tsa_button.setAutoDefault(False)
        self.tsa_button.clicked.connect(self.save_tsa)
        self.tsa_state = QLabel(self)
        self.tsa_state.setObjectName("tsaState")
        self.tsa_state.setWordWrap(True)
        note = QLabel(
            "Tanpa internet tidak ada cap waktu yang dipakai: biarkan kosong bila kantor tidak "
            "selalu terhubung ke internet. Tanpa cap waktu, tanda tangan dibuat sebagai PAdES "
            "B-B dan waktunya adalah jam komputer penanda tangan. Bila alamat diisi, setiap "
            "tanda tangan elektronik meminta cap waktu (PAdES B-T) dari server itu, dan "
            "penandatanganan gagal dengan pesan bila server tidak dapat dihubungi.",
            self,
        )
        note.setObjectName("tsaNote")
        note.setWordWrap(True)
        set_role(note, "hint")
        tsa_row = QHBoxLayout()
        tsa_row.addWidget(QLabel("Alamat server (URL):", self), 0, Qt.AlignmentFlag.AlignTop)
        tsa_row.addWidget(self.tsa_box, 1)
        tsa_row.addWidget(self.tsa_button, 0, Qt.AlignmentFlag.AlignTop)
        tsa_box = QGroupBox("Server cap waktu (TSA), tidak wajib", self)
        tsa_layout = QVBoxLayout(tsa_box)
        tsa_layout.addLayout(tsa_row)
        tsa_layout.addWidget(self.tsa_state)
        tsa_layout.addWidget(note)

        trust_page = QWidget(self)
        trust_layout = QVBoxLayout(trust_page)
        trust_layout.addWidget(intro)
        trust_layout.addWidget(self.banner)
        trust_layout.addWidget(roots_box, 1)
        trust_layout.addWidget(tsa_box)
        # Issue 12: how each signer signs (PKCS#12 or BSrE), in its own module.
        self.signers = SignerSettings(services, actor, self)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("esignPages")
        self.pages.addTab(trust_page, "CA terpercaya && TSA")
        self.pages.addTab(self.signers, "&Penanda tangan (BSrE / .p12)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.refresh()

    # ---------------------------------------------------------------- loading

    def refresh(self) -> None:
        """Read both settings again (another PC may have changed them); an unsaved TSA
        address being typed is kept."""
        try:
            roots = esign.list_trust_roots(self._s)
            tsa = read_timestamp_url(self._s)
        except Exception as exc:
            self.message = report_error(self, exc)
            return
        self._show_roots(roots)
        if self.tsa_edit.text().strip() == self._tsa_saved:
            self.tsa_edit.setText(tsa)
        self._tsa_saved = tsa
        self._show_tsa_state()

    def _show_roots(self, roots: list[esign.CertificateInfo], select: str = "") -> None:
        current = self.selected()
        self.model.set_rows(roots)
        wanted = select or (current.fingerprint if current is not None else "")
        if wanted:
            self.select_fingerprint(wanted)
        count = len(roots)
        self.count_label.setText(
            f"{count} sertifikat CA" if count else "Belum ada sertifikat CA terpercaya."
        )
        self._show_selected()

    def selected(self) -> esign.CertificateInfo | None:
        row = self.view.current_row()
        return row if isinstance(row, esign.CertificateInfo) else None

    def select_fingerprint(self, fingerprint: str) -> bool:
        for number, info in enumerate(self.model.rows()):
            if info.fingerprint == fingerprint:
                index = self.view.proxy.mapFromSource(self.model.index(number, 0))
                if index.isValid():
                    self.view.setCurrentIndex(index)
                    return True
        return False

    def _show_selected(self) -> None:
        info = self.selected()
        self.remove_button.setEnabled(info is not None)
        if info is None:
            self.details.setText(
                "Tanpa sertifikat CA, tanda tangan elektronik tetap dapat dibuat dan diperiksa "
                "keutuhannya, tetapi keterpercayaannya tidak dapat dinilai dan dokumen bertanda "
                "tangan dari luar aplikasi tidak dapat diimpor."
                if not self.model.rows()
                else ""
            )
            return
        problem = validity_problem(info, self._s.now())
        validity = f"{short_date(info.not_before.date())} s.d. {short_date(info.not_after.date())}"
        if problem:
            validity += f" <span style='color:{color('error').name()}'>({escape(problem)})</span>"
        rows = (
            ("Subjek", escape(info.subject)),
            ("Penerbit", escape(info.issuer)),
            ("Nomor seri", escape(info.serial)),
            ("Masa berlaku", validity),
            ("Sidik jari SHA-256", f"<tt>{fingerprint_text(info.fingerprint)}</tt>"),
        )
        self.details.setText(
            "<table cellspacing='0' cellpadding='1'>"
            + "".join(
                f"<tr><td><b>{label}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>"
                for label, value in rows
            )
            + "</table>"
        )

    def _show_tsa_state(self) -> None:
        if self._tsa_saved:
            self.tsa_state.setText(
                f"Saat ini: cap waktu diminta dari <b>{escape(self._tsa_saved)}</b> (PAdES B-T)."
            )
        else:
            self.tsa_state.setText("Saat ini: tanpa cap waktu (PAdES B-B).")

    # ---------------------------------------------------------------- trusted CAs

    def add_certificate(self) -> None:
        """Ask for a file and add the certificate(s) in it."""
        path = self.choose_certificate(self)
        if path:
            self.add_from_file(Path(path))

    def add_from_file(self, path: Path) -> bool:
        """Add the CA certificate(s) of ``path``; every refusal is a sentence in the banner."""
        self.banner.clear_message()
        name = path.name
        try:
            size = path.stat().st_size
            if size > MAX_CERTIFICATE_BYTES:
                self.banner.show_error(
                    f"Berkas {name} terlalu besar ({size_text(size)}) untuk sebuah sertifikat. "
                    "Pilih berkas sertifikat CA (.cer, .crt atau .pem) dari penerbitnya."
                )
                return False
            data = path.read_bytes()
        except OSError as exc:
            self.banner.show_error(
                f"Berkas {name} tidak dapat dibaca: {exc.strerror or exc}. Periksa bahwa berkas "
                "masih ada dan Anda boleh membukanya."
            )
            return False
        if not data.strip():
            self.banner.show_error(
                f"Berkas {name} kosong. Pilih berkas sertifikat CA (.cer, .crt atau .pem)."
            )
            return False
        try:
            added = esign.add_trust_root(self._s, self._actor, data)
        except ValidationError as exc:
            self.banner.show_error(not_a_certificate_message(name, data, exc.message))
            return False
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        except Exception as exc:
            self.message = report_error(self, exc)
            return False
        roots = esign.list_trust_roots(self._s)
        self._show_roots(roots, select=added[0].fingerprint if added else "")
        if not added:
            self.banner.show_ok(
                f"Sertifikat dalam {name} sudah ada di daftar CA terpercaya; tidak ada yang "
                "ditambahkan."
            )
            return True
        names = ", ".join(_name(info) for info in added)
        text = (
            f"Ditambahkan ke CA terpercaya: {names}. Tanda tangan yang berantai ke sertifikat "
            "ini sekarang dinilai terpercaya."
        )
        notes = self._cautions(data, added)
        self.banner.show_ok(" ".join([text, *notes]))
        return True

    def _cautions(self, data: bytes, added: list[esign.CertificateInfo]) -> list[str]:
        """What the administrator should know about a certificate that was accepted anyway:
        one that is not a CA (a person's), or one that is not valid today."""
        notes: list[str] = []
        fingerprints = {info.fingerprint for info in added}
        for cert in esign.load_certificates(data):
            info = esign.CertificateInfo.of(cert)
            if info.fingerprint not in fingerprints:
                continue
            try:
                is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except x509.ExtensionNotFound:
                is_ca = False
            if not is_ca:
                notes.append(
                    f"Perhatian: {_name(info)} bukan sertifikat CA (sertifikat perorangan); "
                    "biasanya yang ditambahkan adalah sertifikat akar atau perantara penerbit."
                )
            problem = validity_problem(info, self._s.now())
            if problem:
                notes.append(f"Perhatian: sertifikat {_name(info)} {problem}.")
        return notes

    def remove_selected(self) -> QMessageBox | None:
        """Ask first: removing a CA changes the verdict on every signature that chains to it."""
        info = self.selected()
        if info is None:
            return None
        box = ask(
            self,
            "Hapus sertifikat CA",
            f"Hapus <b>{escape(_name(info))}</b> dari daftar CA terpercaya?<br><br>"
            "Tanda tangan yang berantai ke CA ini tidak lagi dinilai terpercaya saat diperiksa "
            "atau diimpor. Dokumen yang sudah tersimpan tidak berubah.<br>"
            f"<small>Sidik jari SHA-256: {short_fingerprint(info.fingerprint)}</small>",
            lambda: self._remove(info),
            yes="Hapus",
            no="Batal",
        )
        self.message = box
        return box

    def _remove(self, info: esign.CertificateInfo) -> None:
        try:
            esign.remove_trust_root(self._s, self._actor, info.fingerprint)
        except UserError as exc:
            self.banner.show_error(exc.message)
            self.refresh()
            return
        except Exception as exc:
            self.message = report_error(self, exc)
            return
        self.refresh()
        self.banner.show_ok(f"Dihapus dari daftar CA terpercaya: {_name(info)}.")

    # ---------------------------------------------------------------- timestamp server

    def save_tsa(self) -> bool:
        self.banner.clear_message()
        self.tsa_box.clear_message()
        url = self.tsa_edit.text().strip()
        problem = check_tsa_url(url)
        if problem:
            self.tsa_box.show_error(problem)
            self.tsa_edit.setFocus()
            return False
        try:
            changed = save_timestamp_url(self._s, self._actor, url)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        except Exception as exc:
            self.message = report_error(self, exc)
            return False
        self.tsa_edit.setText(url)
        self._tsa_saved = url
        self._show_tsa_state()
        if not changed:
            self.banner.show_ok("Alamat server cap waktu tidak berubah.")
        elif url:
            self.banner.show_ok(
                f"Alamat server cap waktu disimpan: {url}. Tanda tangan elektronik berikutnya, "
                "di PC mana pun, meminta cap waktu dari server ini."
            )
        else:
            self.banner.show_ok(
                "Server cap waktu dikosongkan: tanda tangan elektronik berikutnya dibuat tanpa "
                "cap waktu (PAdES B-B)."
            )
        return True


def not_a_certificate_message(name: str, data: bytes, reason: str) -> str:
    """A refusal that says what the file is when it is recognisably something else (the
    signer's own PKCS#12, a private key, a PDF), so the administrator knows what to pick."""
    if name.lower().endswith((".p12", ".pfx")) or _is_pkcs12(data):
        return (
            f"Berkas {name} adalah sertifikat pribadi PKCS#12 yang memuat kunci privat, bukan "
            "sertifikat CA. Di sini hanya sertifikat CA penerbit yang ditambahkan (misalnya "
            "sertifikat akar BSrE, berkas .cer, .crt atau .pem); kunci privat tidak pernah "
            "disimpan oleh aplikasi."
        )
    if b"PRIVATE KEY-----" in data:
        return (
            f"Berkas {name} berisi kunci privat, bukan sertifikat. Jangan bagikan berkas ini; "
            "pilih sertifikat CA penerbit (.cer, .crt atau .pem)."
        )
    if data.startswith(b"%PDF"):
        return (
            f"Berkas {name} adalah dokumen PDF, bukan sertifikat. Pilih berkas sertifikat CA "
            "(.cer, .crt atau .pem) yang diunduh dari penerbit (misalnya BSrE)."
        )
    return (
        f"Berkas {name} tidak dapat dibaca sebagai sertifikat. {reason} Unduh sertifikat CA "
        "dari situs penerbit (misalnya BSrE), lalu pilih berkas itu."
    )


def _is_pkcs12(data: bytes) -> bool:
    """Whether ``data`` is a PKCS#12 file, whatever its name: esign tells a PFX structure from
    other bytes before it asks for the passphrase."""
    try:
        esign.open_pkcs12(data, "")
    except ValidationError as exc:
        return exc.field == "passphrase"
    except UserError:
        return False
    return True
