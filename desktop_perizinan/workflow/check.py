"""``perizinan forms check [DIR]``: what the office administrator runs after editing a form.

The report answers the two questions an administrator has: "did every permit type load, and
does each SOP add up to its stated time?" and, when not, "which line do I fix, and how?". It is
plain ASCII so that a Windows console in any code page prints it.
"""

from __future__ import annotations

from pathlib import Path

from desktop_perizinan.workflow.definition import PermitType
from desktop_perizinan.workflow.loader import FormSet, load_forms
from desktop_perizinan.workflow.paths import (
    TERMINAL_LABELS,
    TERMINALS,
    format_duration,
    path_totals,
    service_total,
)

#: Long names are cut so that each permit type stays on one line of a console.
NAME_WIDTH = 48


def run_check(directory: Path) -> tuple[str, int]:
    """The report text and the exit status (0 only when no file has a problem)."""
    forms = load_forms(directory)
    return format_report(directory, forms), 0 if not forms.problems else 1


def format_report(directory: Path, forms: FormSet) -> str:
    """The report for an already loaded folder (the settings screen shows the same text)."""
    lines: list[str] = [f"Memeriksa folder formulir: {directory}"]
    if forms.office is not None:
        office = forms.office
        lines.append(
            f"Konfigurasi kantor: {len(office.roles)} peran, {len(office.books)} buku agenda"
        )
    lines.append("")

    types = sorted(forms.types.values(), key=lambda pt: pt.code)
    if types:
        lines.append(f"Jenis izin dimuat ({len(types)}):")
        lines.extend(_type_lines(types))
    else:
        lines.append("Tidak ada jenis izin yang dapat dimuat.")

    warnings = [w for pt in types for w in pt.warnings]
    if warnings:
        lines.append("")
        lines.append(f"Peringatan ({len(warnings)}):")
        lines.extend(f"  {w}" for w in warnings)

    lines.append("")
    if forms.problems:
        lines.append(f"Masalah ({len(forms.problems)}):")
        lines.extend(f"  {p}" for p in forms.problems)
        lines.append("")
        files = len({p.file for p in forms.problems})
        lines.append(
            f"GAGAL: {len(forms.problems)} masalah pada {files} berkas. Berkas yang bermasalah "
            "tidak dipakai sampai diperbaiki."
        )
    else:
        lines.append("OK: semua berkas benar.")
    return "\n".join(lines) + "\n"


def _type_lines(types: list[PermitType]) -> list[str]:
    rows = [
        (
            pt.code,
            _shorten(pt.name, NAME_WIDTH),
            f"{len(pt.steps)} langkah",
            _totals_text(pt),
        )
        for pt in types
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
        for row in rows
    ]


def _totals_text(pt: PermitType) -> str:
    totals = path_totals(pt)
    parts = [
        f"{TERMINAL_LABELS[end]}: {format_duration(totals[end])}"
        for end in TERMINALS
        if end in totals
    ]
    text = " | ".join(parts)
    if pt.declared_total is not None:
        verdict = "sesuai" if service_total(pt) == pt.declared_total else "TIDAK sesuai"
        text += f"  (SOP: {pt.declared_total}, {verdict})"
    return text


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
