"""The Jenis izin tab: the permit-type files, whether each one loaded, and what to fix.

It answers the administrator's two questions after editing a file in ``forms/``: "did it load,
and does the SOP add up to its stated time?" and, when not, "which line do I fix, and how?" (the
same facts as ``perizinan forms check``, from ``workflow.check``/``workflow.paths``).

"Muat ulang" reads the folder again. A change never alters an application already running: each
case keeps the snapshot (``FormVersion``) it started under. When the services can swap their
permit types in place (``Services.reload_forms()``), the new files are used for new cases at
once; otherwise the tab shows what changed on disk and says it applies once the application is
opened again (and emits ``reload_needed`` for a shell that can restart the services).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.ui.pengaturan.common import make_banner, stretch_column
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.ui.worker import Task, run_in_background
from desktop_perizinan.workflow.check import format_report
from desktop_perizinan.workflow.loader import FormSet, load_forms
from desktop_perizinan.workflow.paths import (
    TERMINAL_LABELS,
    TERMINALS,
    format_duration,
    path_totals,
    service_total,
)

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.workflow.definition import PermitType

SOP_RENDERER = "desktop_perizinan.documents.sop_matrix"

ACTIVE = "Dipakai"
CHANGED = "Berubah di berkas: berlaku setelah dimuat ulang"
NEW = "Baru: berlaku setelah dimuat ulang"
GONE = "Hilang/bermasalah di berkas: versi lama masih dipakai"


@dataclass(frozen=True)
class TypeRow:
    code: str
    name: str
    steps: int
    totals: str
    declared: str
    declared_ok: bool | None
    file: str
    status: str
    permit_type: PermitType = field(compare=False, repr=False)


@dataclass(frozen=True)
class ProblemRow:
    kind: str  # "Masalah" or "Peringatan"
    file: str
    line: int
    message: str
    fix: str


def _totals(pt: PermitType) -> str:
    totals = path_totals(pt)
    return " · ".join(
        f"{TERMINAL_LABELS[end]} {format_duration(totals[end])}"
        for end in TERMINALS
        if end in totals
    )


def _row(pt: PermitType, status: str) -> TypeRow:
    total = service_total(pt)
    declared_ok = None if pt.declared_total is None else total == pt.declared_total
    if pt.declared_total is None:
        declared = f"{format_duration(total)} (dihitung)"
    elif declared_ok:
        declared = f"{pt.declared_total}: sesuai SOP"
    else:
        declared = f"SOP {pt.declared_total}, langkah {format_duration(total)}: TIDAK sesuai"
    return TypeRow(
        pt.code,
        pt.name,
        len(pt.steps),
        _totals(pt),
        declared,
        declared_ok,
        pt.source_file,
        status,
        pt,
    )


def type_rows(running: FormSet, on_disk: FormSet | None = None) -> list[TypeRow]:
    """The permit types with their state; ``on_disk`` is a fresh read of the folder, if any."""
    if on_disk is None:
        return [_row(pt, ACTIVE) for pt in sorted(running.types.values(), key=lambda p: p.code)]
    rows = []
    for code in sorted(set(running.types) | set(on_disk.types)):
        old, new = running.types.get(code), on_disk.types.get(code)
        if new is None:
            assert old is not None
            rows.append(_row(old, GONE))
        elif old is None:
            rows.append(_row(new, NEW))
        else:
            rows.append(_row(new, ACTIVE if old.source_hash == new.source_hash else CHANGED))
    return rows


def problem_rows(forms: FormSet) -> list[ProblemRow]:
    rows = [ProblemRow("Masalah", p.file, p.line, p.message, p.fix) for p in forms.problems]
    for pt in sorted(forms.types.values(), key=lambda p: p.code):
        rows.extend(ProblemRow("Peringatan", pt.source_file, 0, w, "") for w in pt.warnings)
    return rows


TYPE_COLUMNS: tuple[Column[TypeRow], ...] = (
    Column("Berkas", lambda r: r.file),
    Column("Kode", lambda r: r.code),
    Column("Nama jenis izin", lambda r: r.name),
    Column("Langkah", lambda r: str(r.steps), sort_key=lambda r: r.steps, align_right=True),
    Column(
        "Jangka waktu",
        lambda r: r.declared,
        color=lambda r: color("error") if r.declared_ok is False else None,
        tooltip=lambda r: f"Jumlah waktu langkah per jalur: {r.totals}",
    ),
    Column(
        "Status",
        lambda r: r.status,
        color=lambda r: None if r.status == ACTIVE else color("warning"),
    ),
)

PROBLEM_COLUMNS: tuple[Column[ProblemRow], ...] = (
    Column(
        "Jenis",
        lambda r: r.kind,
        color=lambda r: color("error") if r.kind == "Masalah" else color("warning"),
    ),
    Column("Berkas", lambda r: r.file),
    Column(
        "Baris",
        lambda r: str(r.line) if r.line else "—",
        sort_key=lambda r: r.line,
        align_right=True,
    ),
    Column("Masalah", lambda r: r.message),
    Column("Perbaikan", lambda r: r.fix),
)


def sop_renderer_available() -> bool:
    try:
        return importlib.util.find_spec(SOP_RENDERER) is not None
    except ModuleNotFoundError:
        return False


class FormsTab(QWidget):
    loaded = Signal()
    #: The files changed and these services cannot swap them in: the shell may restart them.
    reload_needed = Signal()

    def __init__(
        self,
        services: Services,
        actor: Actor,
        forms_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("formsTab")
        self._s = services
        self._actor = actor
        self.forms_dir = forms_dir
        self.on_disk: FormSet | None = None
        self.task: Task | None = None
        self.print_task: Task | None = None
        self.preview: QWidget | None = None

        self.summary = QLabel(self)
        self.summary.setObjectName("formsSummary")
        self.summary.setWordWrap(True)
        self.folder = QLabel(f"Folder: {forms_dir}", self)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.folder, "hint")
        self.reload_button = QPushButton(icon("muat-ulang"), "&Muat ulang", self)
        self.reload_button.setObjectName("reloadForms")
        self.reload_button.setToolTip(
            "Baca ulang berkas jenis izin. Permohonan yang sedang berjalan tetap memakai versi "
            "berkas saat permohonan itu diterima."
        )
        self.reload_button.clicked.connect(self.reload)
        self.print_button = QPushButton(icon("cetak"), "Cetak &SOP…", self)
        self.print_button.setObjectName("printSop")
        self.print_button.clicked.connect(self.print_sop)
        self.print_button.setVisible(sop_renderer_available())
        self.copy_button = QPushButton("Salin &laporan", self)
        self.copy_button.setToolTip(
            "Salin laporan pemeriksaan (sama dengan 'perizinan forms check')"
        )
        self.copy_button.clicked.connect(self.copy_report)
        for button in (self.reload_button, self.print_button, self.copy_button):
            button.setAutoDefault(False)
        self.banner = make_banner(self)

        self.types: RowsModel[TypeRow] = RowsModel(TYPE_COLUMNS, self)
        self.types_view = RowsView(self.types, self)
        self.types_view.setObjectName("typesTable")
        self.types_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        stretch_column(self.types_view, 2)
        self.types_view.activated.connect(lambda _i: self.print_sop())
        self.types_view.selectionModel().currentChanged.connect(lambda *_a: self._show_detail())
        self.detail = QLabel(self)
        self.detail.setObjectName("typeDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems: RowsModel[ProblemRow] = RowsModel(PROBLEM_COLUMNS, self)
        self.problems_view = RowsView(self.problems, self)
        self.problems_view.setObjectName("problemsTable")
        self.problems_view.setWordWrap(True)
        stretch_column(self.problems_view, 4)
        self.no_problems = QLabel("Semua berkas benar: tidak ada masalah.", self)
        set_role(self.no_problems, "ok")

        types_box = QGroupBox("Jenis izin yang dimuat", self)
        types_layout = QVBoxLayout(types_box)
        types_layout.addWidget(self.types_view)
        types_layout.addWidget(self.detail)
        self.problems_box = QGroupBox("Masalah dan peringatan", self)
        problems_layout = QVBoxLayout(self.problems_box)
        problems_layout.addWidget(self.problems_view)
        problems_layout.addWidget(self.no_problems)

        top = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.summary)
        texts.addWidget(self.folder)
        top.addLayout(texts, 1)
        top.addWidget(self.reload_button)
        top.addWidget(self.print_button)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(types_box, 3)
        layout.addWidget(self.problems_box, 2)
        self._layout = layout
        self.show_forms()

    # ---------------------------------------------------------------- showing

    def shown_forms(self) -> FormSet:
        return self.on_disk if self.on_disk is not None else self._s.forms

    def show_forms(self) -> None:
        shown = self.shown_forms()
        self.types.set_rows(type_rows(self._s.forms, self.on_disk))
        rows = problem_rows(shown)
        self.problems.set_rows(rows)
        self.problems_view.resizeRowsToContents()
        self.problems_view.setVisible(bool(rows))
        self.no_problems.setVisible(not rows)
        # Without problems the box is one line; the types get the room.
        self._layout.setStretchFactor(self.problems_box, 2 if rows else 0)
        errors = len(shown.problems)
        files = len({p.file for p in shown.problems})
        text = f"{len(shown.types)} jenis izin dimuat"
        if errors:
            text += f" · {errors} masalah pada {files} berkas (berkas itu tidak dipakai)"
        else:
            text += " · semua berkas benar"
        self.summary.setText(text)
        set_role(self.summary, "error" if errors else "")
        self.print_button.setEnabled(bool(shown.types))
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.types_view.current_row()
        if not isinstance(row, TypeRow):
            self.detail.clear()
            return
        pt = row.permit_type
        parts = [f"{row.steps} langkah", f"jalur: {row.totals}"]
        if pt.declared_total is not None:
            parts.append(f"SOP menyatakan {pt.declared_total}")
        parts.append(f"biaya: {pt.fee_text}")
        parts.append(f"berkas: {row.file}")
        self.detail.setText(f"<b>{escape(row.name)}</b><br>{escape(' · '.join(parts))}")

    def refresh(self) -> None:
        self.show_forms()

    # ---------------------------------------------------------------- reload

    def reload(self) -> None:
        if self.task is not None and self.task.running:
            return
        self.reload_button.setEnabled(False)
        self.banner.clear_message()
        services, directory = self._s, self.forms_dir
        swap = getattr(services, "reload_forms", None)

        def work() -> tuple[bool, FormSet]:
            if callable(swap):
                return True, swap()
            return False, load_forms(directory)

        self.task = run_in_background(
            work, on_success=self._reloaded, on_failure=self._reload_failed, owner=self
        )

    def _reloaded(self, result: tuple[bool, FormSet]) -> None:
        swapped, forms = result
        self.reload_button.setEnabled(True)
        if swapped:
            self.on_disk = None
            self.show_forms()
            self.banner.show_ok(
                "Berkas dimuat ulang. Permohonan baru memakai berkas terbaru; permohonan yang "
                "sedang berjalan tetap memakai versi saat diterima."
            )
        else:
            self.on_disk = forms
            self.show_forms()
            changed = [r for r in self.types.rows() if r.status != ACTIVE]
            if changed:
                codes = ", ".join(r.code for r in changed)
                self.banner.show_error(
                    f"Berkas berubah ({codes}). Perubahan berlaku untuk permohonan baru setelah "
                    "aplikasi dibuka ulang; permohonan yang sedang berjalan tetap memakai versi "
                    "saat diterima."
                )
                self.reload_needed.emit()
            elif forms.problems:
                self.banner.show_error(
                    "Berkas dibaca ulang: ada masalah (lihat di bawah). Jenis izin yang sedang "
                    "dipakai tidak berubah."
                )
            else:
                self.banner.show_ok("Berkas dibaca ulang: tidak ada perubahan.")
        self.loaded.emit()

    def _reload_failed(self, exc: BaseException) -> None:
        self.reload_button.setEnabled(True)
        self.banner.show_error(str(exc))
        self.loaded.emit()

    # ---------------------------------------------------------------- report, SOP

    def report_text(self) -> str:
        return format_report(self.forms_dir, self.shown_forms())

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())
        self.banner.show_ok("Laporan pemeriksaan disalin; tempel (Ctrl+V) di surel atau dokumen.")

    def print_sop(self) -> None:
        """The SOP matrix of the selected permit type, in the print preview."""
        row = self.types_view.current_row()
        if not isinstance(row, TypeRow) or not sop_renderer_available():
            return
        if self.print_task is not None and self.print_task.running:
            return
        services, pt = self._s, row.permit_type

        def render() -> bytes:
            module: Any = importlib.import_module(SOP_RENDERER)
            data: bytes = module.render_sop_matrix(
                pt, services.office, services.settings.office_profile()
            )
            return data

        def show(data: bytes) -> None:
            from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog

            try:
                dialog = PdfPreviewDialog(
                    data,
                    f"SOP {pt.name}",
                    heading=f"Matriks SOP · {pt.code}",
                    file_stem=f"SOP-{pt.code}",
                    parent=self,
                )
            except Exception as exc:
                report_error(self, exc)
                return
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.preview = dialog
            dialog.open()

        self.print_task = run_in_background(
            render, on_success=show, on_failure=lambda e: report_error(self, e), owner=self
        )
