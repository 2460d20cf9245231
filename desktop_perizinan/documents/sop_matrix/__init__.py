"""The SOP itself as a document: the Permendagri 52/2011 matrix, drawn from the permit type.

Printing the SOP from the same file the application runs means the SOP on the wall and the
process in the computer cannot drift apart; the footer names the file and its hash.

The form (Permendagri 52/2011, lampiran): an identity block (the office, the SOP's number and
name, the legal basis and, when the file has them, qualifications, equipment, warnings and
records), then the matrix: one row per step, down the page; one column per actor across it,
holding the flowchart symbol of the step (a capsule for the start and for a step that ends the
process, a rectangle for an activity, a diamond for a decision, i.e. a step with more than one
outcome); then the *mutu baku* (kelengkapan, waktu, output) and a keterangan column.

Layout is done by hand on the canvas rather than with a platypus table, because the connector
lines must know where every symbol is, and a page break must leave room for the off-page
connectors: each page that continues ends with a thin band holding them, and each
continuation page starts with one under the repeated header row.

The package, by job: ``plan`` (what the matrix shows), ``geometry`` (sizes and records),
``identity`` (the header block), ``routing`` (symbols and connector lines), ``layout``
(pages and rows) and ``draw`` (the canvas). ``render_sop_matrix`` is the entry point.
"""

from __future__ import annotations

from desktop_perizinan.documents.sop_matrix.draw import render_sop_matrix
from desktop_perizinan.documents.sop_matrix.layout import MatrixLayout, layout_sop_matrix
from desktop_perizinan.documents.sop_matrix.plan import (
    DECISION,
    PROCESS,
    TERMINATOR,
    Edge,
    MatrixPlan,
    plan_matrix,
)

__all__ = [
    "DECISION",
    "PROCESS",
    "TERMINATOR",
    "Edge",
    "MatrixLayout",
    "MatrixPlan",
    "layout_sop_matrix",
    "plan_matrix",
    "render_sop_matrix",
]
