"""forms/README.md is the format's one reference: every example in it parses as TOML and uses
only keys the loader knows (a renamed key would otherwise leave the page teaching a mistake
that ``forms check`` refuses)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from desktop_perizinan.workflow import loader, office_file, type_fields, type_sections, type_steps
from desktop_perizinan.workflow.stages import STAGES
from desktop_perizinan.workflow.type_applicant import APPLICANT_KEYS

README = Path(__file__).resolve().parents[2] / "forms" / "README.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)

#: Each table of a permit-type or office file and the keys the loader accepts in it.
KNOWN = {
    "steps": set(type_steps._STEP_KEYS),
    "fields": set(type_fields._FIELD_KEYS),
    "requirements": set(type_sections._REQUIREMENT_KEYS),
    "wording": set(type_fields._WORDING_KEYS)
    | set(type_fields._OPTIONAL_WORDING_KEYS)
    | set(type_fields._WORDING_LIST_KEYS),
    "applicant": set(APPLICANT_KEYS),
    "numbering": {"book", "title", "pattern", "yearly"},
}
TOP = set(loader._TOP_KEYS) | set(office_file._OFFICE_KEYS)
#: ``[stages.<tahap>]`` (PP 28/2025): the tahap names and the keys of each.
STAGE_KEYS = {"deadline", "steps"}


def test_the_readme_has_an_example_for_every_section():
    found = set()
    for block in BLOCKS:
        found |= set(tomllib.loads(block))
    assert {"steps", "fields", "requirements", "wording", "applicant", "numbering"} <= found
    assert {"roles", "hours", "books", "registration_book"} <= found


def test_every_example_parses_and_uses_known_keys():
    assert len(BLOCKS) >= 10
    for block in BLOCKS:
        data = tomllib.loads(block)  # raises on a broken example
        for key, value in data.items():
            assert key in TOP, f"unknown top-level key {key!r} in:\n{block}"
            if key == "stages":
                assert set(value) <= set(STAGES), f"unknown stage in:\n{block}"
                assert all(set(v) <= STAGE_KEYS for v in value.values()), block
                continue
            allowed = KNOWN.get(key)
            if allowed is None:
                continue
            tables = value if isinstance(value, list) else [value]
            for table in tables:
                unknown = set(table) - allowed
                assert not unknown, f"unknown keys {unknown} in [{key}] of:\n{block}"
