"""The applicant-facing parts of a permit-type file: ``[[fields]]`` (what the clerk types)
and ``[wording]`` (the letters' text), with every ``{placeholder}`` checked against them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from desktop_perizinan.workflow.definition import FieldType, FormField, Wording
from desktop_perizinan.workflow.fields import LIFETIME_DEFAULT
from desktop_perizinan.workflow.form_reader import IDENT, Reader, join_choices
from desktop_perizinan.workflow.placeholders import (
    BUILTIN_PLACEHOLDERS,
    REJECTION_ONLY_PLACEHOLDERS,
    placeholder_names,
)
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

_FIELD_KEYS = ("key", "label", "type", "required", "choices", "help", "lifetime")
_WORDING_KEYS = ("permit_title", "permit_body", "rejection_subject", "rejection_body")
#: Optional: the closing sentences (default: today's text, see ``workflow.fields``).
_OPTIONAL_WORDING_KEYS = ("permit_closing", "rejection_closing")
#: Optional lists of plain text: Menimbang of the permit, Tembusan of each letter.
_WORDING_LIST_KEYS = ("permit_considerations", "permit_tembusan", "rejection_tembusan")


def read_fields(r: Reader, data: Mapping[str, Any]) -> list[FormField] | None:
    tables = r.table_list(data, (), "fields", required=False)
    if tables is None:
        return None
    seen: set[str] = set()
    result: list[FormField] = []
    ok = True
    types = [t.value for t in FieldType]
    for index, table in enumerate(tables):
        where: KeyPath = ("fields", index)
        what = f"isian ke-{index + 1}"
        r.unknown_keys(table, where, _FIELD_KEYS, what)
        key = r.text(table, where, "key", what=what)
        label = r.text(table, where, "label", what=what)
        type_text = r.text(table, where, "type", what=what)
        required = r.flag(table, where, "required", default=True)
        choices = r.text_list(table, where, "choices")
        help_text = r.text(table, where, "help", required=False)
        lifetime = r.text(table, where, "lifetime", required=False, default=LIFETIME_DEFAULT)
        if key is not None:
            if not IDENT.match(key):
                r.problem(
                    (*where, "key"),
                    f'kunci isian "{key}" tidak sah',
                    "gunakan huruf kecil, angka dan garis bawah, diawali huruf "
                    "(kunci ini dipakai sebagai {isian} pada teks surat)",
                )
                key = None
            elif key in BUILTIN_PLACEHOLDERS or key in REJECTION_ONLY_PLACEHOLDERS:
                r.problem(
                    (*where, "key"),
                    f'kunci isian "{key}" sudah dipakai aplikasi (isian bawaan)',
                    "pilih nama lain, misalnya dengan akhiran jenis izin",
                )
                key = None
            elif key in seen:
                r.problem(
                    (*where, "key"),
                    f'kunci isian "{key}" dipakai dua kali',
                    "beri setiap isian kunci yang berbeda",
                )
                key = None
            else:
                seen.add(key)
        field_type: FieldType | None = None
        if type_text is not None:
            try:
                field_type = FieldType(type_text)
            except ValueError:
                r.problem(
                    (*where, "type"),
                    f'jenis isian "{type_text}" tidak dikenal',
                    f"gunakan salah satu dari {join_choices(types)}",
                )
        if field_type is FieldType.CHOICE and choices is not None and not choices:
            r.problem(
                (*where, "choices") if "choices" in table else (*where, "type"),
                "isian pilihan (choice) tidak punya daftar pilihan",
                'tambahkan choices = ["Pilihan 1", "Pilihan 2"]',
            )
            choices = None
        elif choices and field_type is not None and field_type is not FieldType.CHOICE:
            r.warn((*where, "choices"), f'choices diabaikan karena jenis isian "{field_type}"')
        if choices is not None and len(set(choices)) != len(choices):
            r.problem((*where, "choices"), "ada pilihan yang ditulis dua kali", "hapus yang ganda")
            choices = None
        if "lifetime" in table and field_type not in (None, FieldType.DATE_OR_LIFETIME):
            r.warn((*where, "lifetime"), f'lifetime diabaikan karena jenis isian "{field_type}"')
        if lifetime is not None and not lifetime.strip():
            r.problem(
                (*where, "lifetime"),
                "lifetime kosong",
                f'tulis teks pengganti tanggal, misalnya lifetime = "{LIFETIME_DEFAULT}"',
            )
            lifetime = None
        if None in (key, label, field_type, required, choices, help_text, lifetime):
            ok = False
            continue
        assert key is not None and label is not None and field_type is not None
        assert required is not None and choices is not None and help_text is not None
        assert lifetime is not None
        result.append(
            FormField(key, label, field_type, required, tuple(choices), help_text, lifetime.strip())
        )
    return result if ok else None


def read_wording(
    r: Reader, data: Mapping[str, Any], fields: Sequence[FormField] | None
) -> Wording | None:
    table = r.table(
        data, (), "wording", example="tambahkan bagian [wording] dengan " + ", ".join(_WORDING_KEYS)
    )
    if table is None:
        return None
    known = _WORDING_KEYS + _OPTIONAL_WORDING_KEYS + _WORDING_LIST_KEYS
    r.unknown_keys(table, ("wording",), known, "[wording]")
    texts: dict[str, str] = {}
    for key in _WORDING_KEYS:
        value = r.text(table, ("wording",), key, what="[wording]")
        if value is not None:
            texts[key] = value
    optional: dict[str, str] = {}
    for key in _OPTIONAL_WORDING_KEYS:
        if key in table:
            # "" is allowed: the letter then has no closing sentence.
            value = r.text(table, ("wording",), key, what="[wording]", nonempty=False)
            if value is not None:
                optional[key] = " ".join(value.split())
    if fields is not None:
        provided = BUILTIN_PLACEHOLDERS | {f.key for f in fields}
        for key, value in {**texts, **optional}.items():
            allowed = provided | REJECTION_ONLY_PLACEHOLDERS if "rejection" in key else provided
            _check_placeholders(r, ("wording", key), value, allowed, fields)
    lists: dict[str, tuple[str, ...]] = {}
    for key in _WORDING_LIST_KEYS:
        items = r.text_list(table, ("wording",), key)
        if items is None:
            return None
        lists[key] = tuple(" ".join(item.split()) for item in items if item.strip())
    if len(texts) != len(_WORDING_KEYS):
        return None
    return Wording(**texts, **optional, **lists)


def _check_placeholders(
    r: Reader,
    path: KeyPath,
    text: str,
    allowed: frozenset[str] | set[str],
    fields: Sequence[FormField],
) -> None:
    try:
        names = placeholder_names(text)
    except ValueError as exc:
        r.problem(path, str(exc), "periksa kurung kurawal pada teks ini")
        return
    optional = {f.key for f in fields if not f.required}
    for name, spec in names:
        line = r.line_containing(path, "{" + name)
        if spec:
            # The letters are filled with plain text; a format spec would fail at print time.
            r.problem(
                line,
                f'isian "{{{name}:{spec}}}" pada {path[-1]} memakai format',
                f'tulis {{{name}}} saja, tanpa ":{spec}"',
            )
            continue
        if name in optional:
            r.warn(
                path,
                f'{path[-1]} memakai isian "{{{name}}}" yang tidak wajib diisi; surat tidak dapat '
                "dicetak bila isian itu kosong",
            )
        if name in allowed:
            continue
        if name in REJECTION_ONLY_PLACEHOLDERS:
            r.problem(
                line,
                f'isian "{{{name}}}" hanya tersedia pada surat penolakan',
                f'hapus "{{{name}}}" dari {path[-1]}',
            )
            continue
        keys = [f.key for f in fields] + sorted(BUILTIN_PLACEHOLDERS)
        r.problem(
            line,
            f'isian "{{{name}}}" pada {path[-1]} tidak disediakan oleh isian mana pun',
            f'tambahkan [[fields]] dengan key = "{name}", atau gunakan salah satu dari '
            f"{join_choices(keys)}",
        )
