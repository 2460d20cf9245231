"""The shape of a permit type's flow: reachability, backward edges and the time along a path.

An SOP's time standard ("Jangka Waktu Pelayanan") is the sum of the step times along the way
the file normally travels. Loops ("kembalikan" back to the drafter, "@pemohon" back to the
applicant) are corrections, not the normal way, so they are left out of the sums: the due date
printed on the receipt is the SOP's promise, and it must equal the SOP's own stated total.

Backward edges are found by a depth-first walk from the first step that follows the outcomes
in the order the file lists them: an edge that leads to a step still on the walk's stack closes
a loop and is backward. What remains is acyclic, so the longest path is a simple dynamic
programme and cannot blow up on an unusual file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from desktop_perizinan.workflow.definition import (
    TARGET_ISSUED,
    TARGET_REJECTED,
    PermitType,
    Step,
)
from desktop_perizinan.workflow.durations import Duration

#: Where a case ends. "@pemohon" is not an end: the file comes back to the same step.
TERMINALS = (TARGET_ISSUED, TARGET_REJECTED)

#: Only used to compare two path sums with different mixes of days and minutes (for instance
#: "1 Hari" against "10 Jam"); the sums themselves keep days and minutes apart.
NOMINAL_DAY_MINUTES = 8 * 60

TERMINAL_LABELS = {TARGET_ISSUED: "terbit", TARGET_REJECTED: "ditolak"}


@dataclass(frozen=True)
class FlowGraph:
    """The steps as a graph between step ids, with terminals kept apart."""

    order: tuple[str, ...]  # step ids in file order; the first is where a case starts
    times: Mapping[str, Duration]
    edges: Mapping[str, tuple[str, ...]]  # step id -> target step ids (known steps only)
    ends: Mapping[str, frozenset[str]]  # step id -> terminals reached directly
    backward: frozenset[tuple[str, str]]  # (from, to) edges that close a loop

    @classmethod
    def from_steps(cls, steps: Sequence[Step]) -> FlowGraph:
        return cls.build(
            ((s.id, s.time, [o.target for o in s.outcomes]) for s in steps),
        )

    @classmethod
    def build(cls, nodes: Iterable[tuple[str, Duration, Sequence[str]]]) -> FlowGraph:
        """Build from ``(step_id, time, targets)``; unknown targets are simply left out.

        The loader reports unknown targets itself; leaving them out here lets it still report
        every other problem of a half-broken file.
        """
        items = list(nodes)
        known = {step_id for step_id, _time, _targets in items}
        order: list[str] = []
        times: dict[str, Duration] = {}
        edges: dict[str, tuple[str, ...]] = {}
        ends: dict[str, frozenset[str]] = {}
        for step_id, time, targets in items:
            if step_id in times:
                continue  # a duplicate id: reported by the loader, the first one wins
            order.append(step_id)
            times[step_id] = time
            edges[step_id] = tuple(dict.fromkeys(t for t in targets if t in known))
            ends[step_id] = frozenset(t for t in targets if t in TERMINALS)
        backward = _backward_edges(order[0] if order else None, edges)
        return cls(tuple(order), times, edges, ends, backward)

    @property
    def start(self) -> str | None:
        return self.order[0] if self.order else None

    def forward(self, step_id: str) -> tuple[str, ...]:
        return tuple(t for t in self.edges[step_id] if (step_id, t) not in self.backward)

    def reachable_from_start(self) -> set[str]:
        """Steps a case can arrive at, following every outcome (loops included)."""
        if self.start is None:
            return set()
        seen = {self.start}
        stack = [self.start]
        while stack:
            for target in self.edges[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    def can_finish(self) -> set[str]:
        """Steps from which some terminal can still be reached (loops included)."""
        incoming: dict[str, list[str]] = {step_id: [] for step_id in self.order}
        for source, targets in self.edges.items():
            for target in targets:
                incoming[target].append(source)
        done = {step_id for step_id in self.order if self.ends[step_id]}
        stack = list(done)
        while stack:
            for source in incoming[stack.pop()]:
                if source not in done:
                    done.add(source)
                    stack.append(source)
        return done

    def topological(self) -> list[str]:
        """Steps reachable from the start over forward edges, each before its successors."""
        if self.start is None:
            return []
        post: list[str] = []
        seen = {self.start}
        stack: list[tuple[str, int]] = [(self.start, 0)]
        while stack:
            node, index = stack[-1]
            successors = self.forward(node)
            if index < len(successors):
                stack[-1] = (node, index + 1)
                nxt = successors[index]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, 0))
            else:
                stack.pop()
                post.append(node)
        post.reverse()
        return post

    def longest_to_terminals(self) -> dict[str, Duration]:
        """For each terminal reachable from the start: the largest step-time sum to reach it."""
        best: dict[str, dict[str, Duration]] = {}
        for node in reversed(self.topological()):
            own = self.times[node]
            totals: dict[str, Duration] = {end: own for end in self.ends[node]}
            for nxt in self.forward(node):
                for end, rest in best.get(nxt, {}).items():
                    candidate = own + rest
                    if end not in totals or _longer(candidate, totals[end]):
                        totals[end] = candidate
            best[node] = totals
        start = self.start
        found = best.get(start, {}) if start is not None else {}
        return {end: found[end] for end in TERMINALS if end in found}


def _longer(a: Duration, b: Duration) -> bool:
    """Whether ``a`` is the longer time, comparing with a nominal working day."""
    key_a = (a.days * NOMINAL_DAY_MINUTES + a.minutes, a.days)
    key_b = (b.days * NOMINAL_DAY_MINUTES + b.minutes, b.days)
    return key_a > key_b


def _backward_edges(
    start: str | None, edges: Mapping[str, tuple[str, ...]]
) -> frozenset[tuple[str, str]]:
    """Edges that lead back to a step still on the depth-first stack (they close a loop).

    Steps that cannot be reached from the start are walked afterwards in file order, so that
    their loops are also known (they are reported as unreachable anyway).
    """
    backward: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished
    roots = ([start] if start is not None else []) + list(edges)
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, index = stack[-1]
            targets = edges[node]
            if index < len(targets):
                stack[-1] = (node, index + 1)
                nxt = targets[index]
                if state.get(nxt) == 1:
                    backward.add((node, nxt))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
    return frozenset(backward)


def path_totals(pt: PermitType) -> dict[str, Duration]:
    """For each ending reached ("@terbit", "@ditolak"): the longest sum of step times.

    Loops (backward edges such as "kembalikan", and "@pemohon") are ignored: they are
    corrections, not the way the SOP's time standard is counted.
    """
    return FlowGraph.from_steps(pt.steps).longest_to_terminals()


def service_total(pt: PermitType) -> Duration:
    """The SOP time until the permit is issued: what the receipt's due date is based on.

    Every permit type that passed validation reaches "@terbit"; a zero duration is only
    returned for a definition that was built by hand without that ending.
    """
    return path_totals(pt).get(TARGET_ISSUED, Duration())


def format_duration(duration: Duration) -> str:
    """Say "8 Hari 90 menit" as a person would: "8 Hari 1 Jam 30 Menit".

    Days stay days (a working day is not a fixed number of minutes); only minutes are split
    into hours for reading.
    """
    parts: list[str] = []
    if duration.days:
        parts.append(f"{duration.days} Hari")
    hours, minutes = divmod(duration.minutes, 60)
    if hours:
        parts.append(f"{hours} Jam")
    if minutes:
        parts.append(f"{minutes} Menit")
    return " ".join(parts) or "0 Menit"
