"""Cross-checks over all steps of a permit type: every target exists, every step is
reachable and can finish, documents are drafted before they are used, initials go up the
ranks, no permit is issued without a number, and the declared total matches.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_perizinan.workflow import lifecycle
from desktop_perizinan.workflow.definition import (
    SPECIAL_TARGETS,
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    DocumentKind,
    Numbering,
    OfficeConfig,
    Step,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.form_reader import Reader, join_choices
from desktop_perizinan.workflow.office_file import OFFICE_FILE
from desktop_perizinan.workflow.paths import FlowGraph, format_duration
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

#: Initials on one document, drafter included when their role has a rank: more is a queue.
MAX_INITIALS = 3


def check_declared_total(r: Reader, steps: Sequence[Step], declared: Duration) -> None:
    """The SOP's stated total ("Jangka Waktu Pelayanan") must equal the sum of its steps."""
    computed = FlowGraph.from_steps(steps).longest_to_terminals().get(TARGET_ISSUED)
    if computed is None or computed == declared:
        return  # no way to "@terbit" is reported by the flow check
    r.problem(
        ("total",),
        f"jumlah waktu yang tertulis ({declared}) berbeda dengan jumlah waktu langkah-langkah "
        f'menuju "{TARGET_ISSUED}" ({computed}, yaitu {format_duration(computed)})',
        f'periksa waktu tiap langkah, atau ubah menjadi total = "{computed}"',
    )


def _step_path(steps: Sequence[Step], step_id: str, *rest: str) -> KeyPath:
    index = next(i for i, s in enumerate(steps) if s.id == step_id)
    return ("steps", index, *rest)


def check_targets(r: Reader, steps: Sequence[Step]) -> None:
    ids = [s.id for s in steps]
    known = set(ids)
    for index, step in enumerate(steps):
        for outcome in step.outcomes:
            if outcome.target in known or outcome.target in SPECIAL_TARGETS:
                continue
            sample = ", ".join(f'"{i}"' for i in ids[:4])
            r.problem(
                ("steps", index, "outcomes", outcome.code),
                f'hasil "{outcome.code}" menuju "{outcome.target}" yang tidak ada '
                "(tidak menuju ke mana pun)",
                f"gunakan id langkah yang ada (misalnya {sample}) atau "
                f'"{TARGET_ISSUED}", "{TARGET_REJECTED}", "@pemohon"',
            )


def check_flow(r: Reader, steps: Sequence[Step]) -> None:
    """Every step reachable, no dead end, and a way to "@terbit"."""
    graph = FlowGraph.from_steps(steps)
    reachable = graph.reachable_from_start()
    finishing = graph.can_finish()
    first = steps[0]
    for index, step in enumerate(steps):
        if step.id not in reachable:
            r.problem(
                ("steps", index),
                f'langkah "{step.id}" (no {step.no}) tidak dapat dicapai dari langkah pertama '
                f'"{first.id}"',
                f'arahkan salah satu hasil (outcomes) langkah lain ke "{step.id}", '
                "atau hapus langkah ini",
            )
        elif step.id not in finishing:
            r.problem(
                ("steps", index),
                f'dari langkah "{step.id}" (no {step.no}) berkas tidak pernah sampai ke '
                f'"{TARGET_ISSUED}" atau "{TARGET_REJECTED}" (buntu)',
                "arahkan salah satu hasilnya ke langkah berikut, ke "
                f'"{TARGET_ISSUED}" atau ke "{TARGET_REJECTED}"',
            )
    if TARGET_ISSUED not in graph.longest_to_terminals():
        r.problem(
            ("steps", 0),
            f'tidak ada jalur dari langkah pertama "{first.id}" menuju "{TARGET_ISSUED}": '
            "izin tidak akan pernah terbit",
            f'arahkan hasil langkah terakhir cabang izin ke "{TARGET_ISSUED}"',
        )


def check_documents(
    r: Reader, steps: Sequence[Step], office: OfficeConfig, numbering: Numbering | None
) -> None:
    """Drafts exist before they are initialled, signed and numbered; books exist; initials
    go up the ranks; the permit cannot be issued without a number."""
    drafted = {s.document for s in steps if s.does(Action.DRAFT)}
    reported: set[DocumentKind] = set()
    for index, step in enumerate(steps):
        doc = step.document
        if doc is None or step.does(Action.DRAFT) or doc in drafted or doc in reported:
            continue
        reported.add(doc)
        r.problem(
            ("steps", index, "document"),
            f'dokumen "{doc}" dipakai langkah "{step.id}" tetapi tidak ada langkah draf untuk '
            "dokumen itu",
            f'tambahkan langkah action = "draf" dengan document = "{doc}" sebelum langkah ini',
        )
    for doc in sorted(drafted - {None}, key=str):
        if not any(s.does(Action.SIGN) and s.document == doc for s in steps):
            r.warn(
                _step_path(
                    steps,
                    next(s.id for s in steps if s.document == doc and s.does(Action.DRAFT)),
                ),
                f'dokumen "{doc}" dibuat drafnya tetapi tidak ada langkah tanda_tangan',
            )

    allowed_books = set(office.books) | ({numbering.book} if numbering else set())
    for index, step in enumerate(steps):
        if not step.does(Action.NUMBER) or step.book is None:
            continue
        if step.book not in allowed_books:
            r.problem(
                ("steps", index, "book"),
                f'buku "{step.book}" tidak dikenal',
                f"gunakan buku izin ini ({numbering.book if numbering else '-'}) atau buku kantor: "
                f"{join_choices(office.books)}",
            )
    for index, step in enumerate(steps):
        if (
            step.does(Action.NUMBER)
            and step.document is DocumentKind.REJECTION
            and (step.book is None or (numbering is not None and step.book == numbering.book))
        ):
            r.warn(
                ("steps", index),
                "surat penolakan akan dinomori di buku izin; biasanya memakai buku surat keluar "
                f"kantor (tambahkan book = salah satu dari {join_choices(office.books)})",
            )

    _check_numbered_before_issue(r, steps)
    _check_paraf_chains(r, steps, office)
    check_lifecycle(r, steps)


def check_lifecycle(r: Reader, steps: Sequence[Step]) -> None:
    """The document rules the services enforce (``workflow.lifecycle.RULES``), on every path.

    Reported only where the document exists in the file at all (a missing draft step is
    reported once above, not again for every step that uses the document).
    """
    drafted = {s.document for s in steps if s.does(Action.DRAFT)}
    index_of = {s.id: i for i, s in enumerate(steps)}
    for item in lifecycle.order_problems(steps):
        if item.step.document not in drafted:
            continue
        key = "actions" if len(item.step.actions) > 1 else "action"
        r.problem(("steps", index_of[item.step.id], key), item.message, item.fix)
    for step, code in lifecycle.issue_problems(steps):
        r.problem(
            ("steps", index_of[step.id], "outcomes", code),
            f'hasil "{code}" langkah "{step.id}" menerbitkan izin yang (pada salah satu jalur) '
            "belum ditandatangani",
            'tambahkan langkah action = "tanda_tangan" dengan document = "izin" sebelum '
            f'"{TARGET_ISSUED}"',
        )
    for index, step in enumerate(steps):
        if not step.does(Action.NUMBER) or step.document is None:
            continue
        if lifecycle.signature_follows(steps, step) is not None:
            continue
        if step.document not in drafted or _signed_on_every_path(steps, step):
            continue
        r.problem(
            ("steps", index, "action" if len(step.actions) == 1 else "actions"),
            f'langkah "{step.id}" memberi nomor dokumen "{step.document}" yang belum '
            "ditandatangani dan tidak ada langkah tanda_tangan sesudahnya",
            'letakkan langkah "tanda_tangan" dokumen ini sebelum atau sesudah penomoran',
        )


def _signed_on_every_path(steps: Sequence[Step], step: Step) -> bool:
    actions = step.actions
    if Action.SIGN in actions[: actions.index(Action.NUMBER)]:
        return True
    assert step.document is not None
    return lifecycle.Event.SIGNED in lifecycle.known_before(steps, step.id, step.document)


def _check_numbered_before_issue(r: Reader, steps: Sequence[Step]) -> None:
    """Every way to "@terbit" passes a penomoran of the permit: no permit without a number."""
    by_id = {s.id: s for s in steps}

    def numbers_permit(step: Step) -> bool:
        return step.does(Action.NUMBER) and step.document is DocumentKind.PERMIT

    start = steps[0]
    if numbers_permit(start):
        return
    seen = {start.id}
    stack = [start]
    while stack:
        step = stack.pop()
        for outcome in step.outcomes:
            if outcome.target == TARGET_ISSUED:
                index = steps.index(step)
                r.problem(
                    ("steps", index, "outcomes", outcome.code),
                    f'hasil "{outcome.code}" langkah "{step.id}" menerbitkan izin yang belum '
                    "diberi nomor",
                    'tambahkan langkah action = "penomoran" dengan document = "izin" '
                    f'sebelum "{TARGET_ISSUED}"',
                )
                continue
            nxt = by_id.get(outcome.target)
            if nxt is not None and nxt.id not in seen and not numbers_permit(nxt):
                seen.add(nxt.id)
                stack.append(nxt)


def _check_paraf_chains(r: Reader, steps: Sequence[Step], office: OfficeConfig) -> None:
    """Initials on a document go strictly up the ranks, at most three of them on any path.

    The drafter counts as the first initial when their role has a rank (a Kasi who drafts
    also initials). Only forward edges are followed: a "kembalikan" loop starts the same
    chain again, it does not lengthen it.
    """
    graph = FlowGraph.from_steps(steps)
    by_id = {s.id: s for s in steps}
    index_of = {s.id: i for i, s in enumerate(steps)}

    def rank(step: Step) -> int:
        role = office.roles.get(step.actor)
        return role.rank if role else 0

    for index, step in enumerate(steps):
        if step.does(Action.PARAF) and rank(step) <= 0:
            r.problem(
                ("steps", index, "actor"),
                f'peran "{step.actor}" tidak punya rank sehingga tidak dapat memaraf',
                f"beri peran ini rank di {OFFICE_FILE}, atau pilih peran pemaraf lain",
            )

    def is_initial(step: Step, doc: DocumentKind) -> bool:
        if step.document is not doc:
            return False
        if step.does(Action.PARAF):
            return True
        return step.does(Action.DRAFT) and rank(step) > 0

    order = graph.topological()
    for doc in DocumentKind:
        initials = [s for s in steps if is_initial(s, doc)]
        if not initials:
            continue
        # The last initial before each step, and the longest chain of initials so far.
        last: dict[str, list[Step]] = {sid: [] for sid in order}
        count: dict[str, int] = {sid: 0 for sid in order}
        reported: set[str] = set()
        for sid in order:
            step = by_id[sid]
            if is_initial(step, doc):
                for before in last[sid]:
                    if rank(before) >= rank(step) and sid not in reported:
                        reported.add(sid)
                        r.problem(
                            ("steps", index_of[sid], "actor"),
                            f'urutan paraf "{doc}" salah: "{step.actor}" (rank {rank(step)}) '
                            f'memaraf setelah "{before.actor}" (rank {rank(before)})',
                            "urutkan paraf dari rank kecil ke rank besar (lihat rank di "
                            f"{OFFICE_FILE})",
                        )
                count[sid] += 1
                if count[sid] > MAX_INITIALS and sid not in reported:
                    reported.add(sid)
                    r.problem(
                        ("steps", index_of[sid], "actor"),
                        f'terlalu banyak paraf pada dokumen "{doc}": langkah "{sid}" adalah '
                        f"paraf ke-{count[sid]} (paling banyak {MAX_INITIALS}, termasuk "
                        "pembuat draf yang punya rank)",
                        "kurangi langkah paraf",
                    )
                carried = [step]
            else:
                carried = last[sid]
            for nxt in graph.forward(sid):
                if nxt not in count:
                    continue
                count[nxt] = max(count[nxt], count[sid])
                for item in carried:
                    if item not in last[nxt]:
                        last[nxt].append(item)
