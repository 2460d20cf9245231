"""The main window's navigation as data: which screens exist, for whom, and how to build one.

Each entry names its screen's module and class; the module is imported only when the screen is
first shown (start-up stays fast), and an entry whose module is not part of this build is left
out of the list altogether, never shown as an empty page. Visibility follows the user's roles:
``roles=None`` is everyone, ``STEP_ROLES`` is everyone who acts on some step of some permit
type (computed from the permit types, so an office that reassigns a step changes who sees
Tugas). The services still enforce every permission; hiding is only for clarity.

A screen factory is called as ``factory(services, actor, parent) -> QWidget``. A screen may
have ``refresh()`` (F5 and on every show) and the commands listed in its entry (e.g. F2 on the
counter), which the main window binds to window-wide shortcuts.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services

Factory = Callable[["Services", "Actor", "QWidget | None"], "QWidget"]

#: Marker for "everyone holding a role that acts on a step".
STEP_ROLES = frozenset({"@langkah"})


@dataclass(frozen=True)
class Command:
    """A screen action with a window-wide shortcut (the screen is created on first use)."""

    label: str
    shortcut: str
    method: str  # name of the screen's method to call
    icon: str = ""


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    icon: str
    module: str
    attribute: str
    roles: frozenset[str] | None  # None: everyone
    commands: tuple[Command, ...] = ()
    tooltip: str = ""

    def available(self) -> bool:
        """True when the screen's module is part of this build (without importing it)."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except ModuleNotFoundError:
            return False

    def factory(self) -> Factory:
        module = importlib.import_module(self.module)
        screen: Factory = getattr(module, self.attribute)
        return screen

    def visible_to(self, actor: Actor, step_roles: frozenset[str]) -> bool:
        if self.roles is None:
            return True
        wanted = step_roles if self.roles == STEP_ROLES else self.roles
        return bool(actor.roles & wanted)


ENTRIES: tuple[NavEntry, ...] = (
    NavEntry(
        "beranda",
        "Beranda",
        "laporan",
        "desktop_perizinan.ui.laporan",
        "DashboardScreen",
        frozenset({"kadis", "kabid"}),
        tooltip="Ringkasan hari ini: berkas masuk, dalam proses, terlambat",
    ),
    NavEntry(
        "loket",
        "Loket",
        "loket",
        "desktop_perizinan.ui.loket",
        "LoketScreen",
        frozenset({"front_office"}),
        commands=(
            Command("Permohonan &baru", "F2", "new_application", "baru"),
            Command("&Kelengkapan datang", "F4", "complete_return", "kelengkapan"),
            Command("&Teruskan ke Backoffice", "F6", "forward_selected", "teruskan"),
        ),
        tooltip="Penerimaan berkas, kelengkapan, dan meneruskan ke Backoffice",
    ),
    NavEntry(
        "tugas",
        "Tugas",
        "tugas",
        "desktop_perizinan.ui.tugas",
        "TasksScreen",
        STEP_ROLES,
        tooltip="Langkah yang menunggu Anda",
    ),
    NavEntry(
        "permohonan",
        "Permohonan",
        "permohonan",
        "desktop_perizinan.ui.permohonan",
        "CasesScreen",
        None,
        tooltip="Semua permohonan",
    ),
    NavEntry(
        "buku",
        "Buku",
        "buku",
        "desktop_perizinan.ui.buku",
        "BooksScreen",
        frozenset({"ksb_umum", "admin", "kadis", "kabid"}),
        tooltip="Buku agenda dan buku ekspedisi",
    ),
    NavEntry(
        "laporan",
        "Laporan",
        "laporan",
        "desktop_perizinan.ui.laporan",
        "ReportsScreen",
        frozenset({"kadis", "kabid", "sekretaris", "admin"}),
        tooltip="Laporan kinerja pelayanan",
    ),
    NavEntry(
        "verifikasi",
        "Verifikasi",
        "cari",
        "desktop_perizinan.ui.verifikasi",
        "VerificationScreen",
        None,
        tooltip="Periksa keaslian dokumen: pindai kode QR atau buka berkas PDF",
    ),
    NavEntry(
        "pengaturan",
        "Pengaturan",
        "pengaturan",
        "desktop_perizinan.ui.pengaturan",
        "SettingsScreen",
        frozenset({"admin"}),
        tooltip="Pengguna, profil kantor, jenis izin",
    ),
)


def step_roles(services: Services) -> frozenset[str]:
    """Every role that records some step of some permit type."""
    office = services.office
    roles: set[str] = set()
    for pt in services.forms.types.values():
        for step in pt.steps:
            roles |= office.roles_acting_for(step.actor)
    return frozenset(roles)


def entries_for(
    services: Services, actor: Actor, entries: tuple[NavEntry, ...] = ENTRIES
) -> list[NavEntry]:
    """The entries this user sees, in order, among the screens this build has."""
    acting = step_roles(services)
    return [e for e in entries if e.visible_to(actor, acting) and e.available()]
