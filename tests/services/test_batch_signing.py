"""Batch signing against the real BSrE simulator over HTTP: five drafts, one refused (wrong
passphrase) → four signed with consecutive numbers, one untouched and reported; cancelling
between files; the gateway dropping mid-batch stops it. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pdftext import pdf_text, squash

from desktop_perizinan.devtools.bsre_sim import DEMO_USERS, BsreSimulator
from desktop_perizinan.errors import PermissionDenied, ValidationError
from desktop_perizinan.services import batch_signing as bs
from desktop_perizinan.services import esign
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"
SIGNER = DEMO_USERS[0]


@pytest.fixture
def sim() -> Iterator[BsreSimulator]:
    with BsreSimulator() as simulator:
        yield simulator


@pytest.fixture
def drafts(services, users, driver, sim) -> list[int]:
    """Five cases waiting at the Kadis's signature; the Kadis signs through the simulator."""
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id, backend="bsre", gateway_url=sim.url, nik=SIGNER.nik
        ),
    )
    cases = []
    for seed in range(5):
        intake = driver.submit(DAIRI, DEMO_APPLICANTS[seed % len(DEMO_APPLICANTS)], seed=seed)
        assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
        cases.append(intake.case_id)
    return cases


def _state(services, case_id: int) -> tuple[str | None, str | None]:
    view = services.queries.case(case_id)
    return (view.open_step.step_id if view.open_step else None), view.permit_number


def test_five_drafts_one_wrong_passphrase_four_signed_one_untouched(
    services, users, drafts, sim, db_url
):
    kadis = users["kadis"]
    waiting = bs.waiting_drafts(services, kadis)
    assert sorted(w.case_id for w in waiting) == sorted(drafts)
    assert bs.waiting_drafts(services, users["kabid"]) == []  # not his signature

    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, label: str) -> None:
        seen.append((done, total))
        if done == 2 and label:
            sim.inject("2031")  # BSrE refuses the third file's passphrase

    report = bs.sign_waiting(
        services, kadis, waiting, {"passphrase": SIGNER.passphrase}, progress=progress
    )
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert report.count(bs.SIGNED) == 4 and report.count(bs.FAILED) == 1
    failed = next(r for r in report.results if r.status == bs.FAILED)
    assert "Passphrase TTE salah (kode 2031)" in failed.message
    assert "Nomor 503/0003/IT-LKSA/DPMPTSPK/2026 tetap tercatat untuk surat ini" in failed.message
    assert failed.draft.case_id == waiting[2].case_id
    assert report.summary.startswith("4 dari 5 dokumen ditandatangani, 1 gagal")

    # The failed case is untouched; the others moved on with their own numbers. The failed
    # file's number (taken before its gateway call) stays in the book for it: no gap.
    assert _state(services, failed.draft.case_id) == ("ttd_izin", None)
    numbers = [r.number for r in report.results if r.status == bs.SIGNED]
    book = [f"503/{n:04d}/IT-LKSA/DPMPTSPK/2026" for n in range(1, 6)]
    assert numbers == [book[0], book[1], book[3], book[4]]
    for result in report.results:
        if result.status == bs.SIGNED:
            assert _state(services, result.draft.case_id) == ("nomor_izin", result.number)
            permit = next(
                d for d in services.queries.case(result.draft.case_id).documents if d.kind == "izin"
            )
            (sig,) = esign.validate_signatures(
                services.documents.pdf(permit.id), [sim.pki.certificate]
            )
            assert sig.ok and sig.signer.common_name == SIGNER.name
    lines = services.books.agenda("izin_lks_asing", 2026)
    assert [r.number for r in lines] == book
    assert [r.signature for r in lines] == ["TTE", "TTE", "menunggu TTD", "TTE", "TTE"]
    assert lines[2].reg_number == services.queries.case(failed.draft.case_id).reg_number

    # Each result is kept per case, without the passphrase anywhere.
    items = bs.batch_items(services, report.batch_id)
    assert [(case, status) for case, status, _n, _m in items] == [
        (r.draft.case_id, r.status) for r in report.results
    ]
    assert SIGNER.passphrase not in repr(items)
    # One draft still waits; a second batch signs it with the number kept for it.
    (left,) = bs.waiting_drafts(services, kadis)
    again = bs.sign_waiting(services, kadis, [left], {"passphrase": SIGNER.passphrase})
    assert again.results[0].number == book[2]
    lines = services.books.agenda("izin_lks_asing", 2026)
    assert [r.number for r in lines] == book and [r.signature for r in lines] == ["TTE"] * 5
    if db_url.startswith("sqlite:///"):
        data = Path(db_url.removeprefix("sqlite:///")).read_bytes()
        assert SIGNER.passphrase.encode() not in data


def test_cancel_between_files(services, users, drafts):
    kadis = users["kadis"]
    waiting = bs.waiting_drafts(services, kadis)
    signed_so_far: list[str] = []
    report = bs.sign_waiting(
        services,
        kadis,
        waiting,
        {"passphrase": SIGNER.passphrase},
        progress=lambda done, _total, label: signed_so_far.append(label) if label else None,
        cancelled=lambda: len(signed_so_far) >= 2,
    )
    assert [r.status for r in report.results] == [bs.SIGNED] * 2 + [bs.CANCELLED] * 3
    assert report.cancelled and "dihentikan atas permintaan Anda" in report.summary
    assert len(bs.waiting_drafts(services, kadis)) == 3
    assert len(services.books.agenda("izin_lks_asing", 2026)) == 2


def test_gateway_dropping_stops_the_batch_and_changes_nothing_after(services, users, drafts, sim):
    kadis = users["kadis"]
    waiting = bs.waiting_drafts(services, kadis)

    def progress(done: int, _total: int, label: str) -> None:
        if done == 1 and label:
            sim.inject("drop", count=10)

    report = bs.sign_waiting(
        services, kadis, waiting, {"passphrase": SIGNER.passphrase}, progress=progress
    )
    statuses = [r.status for r in report.results]
    assert statuses == [bs.SIGNED, bs.FAILED, bs.NOT_SENT, bs.NOT_SENT, bs.NOT_SENT]
    assert report.gateway_down
    assert "tidak dapat dihubungi" in report.results[1].message
    assert len(bs.waiting_drafts(services, kadis)) == 4
    # The signed file's number, and the number kept for the file the gateway dropped.
    lines = services.books.agenda("izin_lks_asing", 2026)
    assert [r.signature for r in lines] == ["TTE", "menunggu TTD"]


def test_refusals_before_anything_is_signed(services, users, drafts):
    kadis = users["kadis"]
    waiting = bs.waiting_drafts(services, kadis)
    with pytest.raises(ValidationError, match="passphrase"):
        bs.sign_waiting(services, kadis, waiting, {"passphrase": ""})
    with pytest.raises(ValidationError, match="Tidak ada draf"):
        bs.sign_waiting(services, kadis, [], {"passphrase": SIGNER.passphrase})
    with pytest.raises(PermissionDenied):
        bs.sign_waiting(services, users["kabid"], waiting, {"passphrase": SIGNER.passphrase})
    assert len(bs.waiting_drafts(services, kadis)) == 5


LIFECYCLE_FORMS = Path(__file__).resolve().parents[1] / "forms_lifecycle"


def test_drafts_numbered_before_the_tte_are_signed_in_a_batch_too(db_url, clock, sim):
    """Number-then-sign (issue 11's UJI-NOMOR-TTE, the Kabid signs a.n. Kepala Dinas): the
    batch signs the numbered drafts and keeps their numbers; no new number is taken."""
    from desktop_perizinan.devtools.bsre_sim import SimUser
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import CaseDriver, create_demo_users

    services = Services.open(db_url, LIFECYCLE_FORMS, clock=clock)
    try:
        users = create_demo_users(services)
        kabid = users["kabid"]
        nik = "1211010101800002"
        sim.add_user(SimUser(nik=nik, name=kabid.full_name, passphrase="sandi-kabid"))
        esign.save_signer_config(
            services,
            users["admin"],
            esign.SignerConfig(user_id=kabid.id, backend="bsre", gateway_url=sim.url, nik=nik),
        )
        driver = CaseDriver(services, users, clock)
        numbers = []
        for seed in range(2):
            intake = driver.submit("UJI-NOMOR-TTE", DEMO_APPLICANTS[seed], seed=seed)
            assert driver.run(intake.case_id, stop_at="tte") is CaseStatus.RUNNING
            view = services.queries.case(intake.case_id)
            numbers.append(next(d.number for d in view.documents if d.kind == "izin"))
        waiting = bs.waiting_drafts(services, kabid)
        assert len(waiting) == 2
        report = bs.sign_waiting(services, kabid, waiting, {"passphrase": "sandi-kabid"})
        assert [r.status for r in report.results] == [bs.SIGNED, bs.SIGNED], report.results
        assert [r.number for r in report.results] == numbers
        assert [r.number for r in services.books.agenda("izin_uji_tte", 2026)] == numbers
    finally:
        services.close()


def test_v2_sends_the_batch_in_one_call_each_file_with_its_number(services, users, drafts, sim):
    """V2 takes several files per call: the numbers are taken (kept for their letters) and
    printed first, then one call; a refused call leaves every case as it was and each letter
    its number, and the next batch signs them all with those numbers, again in one call."""
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id,
            backend="bsre",
            gateway_url=sim.url,
            nik=SIGNER.nik,
            api_version="v2",
        ),
    )
    kadis = users["kadis"]
    waiting = bs.waiting_drafts(services, kadis)
    book = [f"503/{n:04d}/IT-LKSA/DPMPTSPK/2026" for n in range(1, 6)]

    sim.inject("2031")
    refused = bs.sign_waiting(services, kadis, waiting, {"passphrase": SIGNER.passphrase})
    assert [r.status for r in refused.results] == [bs.FAILED] * 5 and sim.attempts == 1
    assert all("Passphrase TTE salah" in r.message for r in refused.results)
    assert [_state(services, case_id) for case_id in drafts] == [("ttd_izin", None)] * 5
    lines = services.books.agenda("izin_lks_asing", 2026)
    assert [r.number for r in lines] == book and {r.signature for r in lines} == {"menunggu TTD"}
    kept = {r.number: r.reg_number for r in lines}

    report = bs.sign_waiting(
        services, kadis, bs.waiting_drafts(services, kadis), {"passphrase": SIGNER.passphrase}
    )
    assert [r.status for r in report.results] == [bs.SIGNED] * 5, report.results
    assert sim.attempts == 2
    assert sim.sign_requests == [{"api": "v2", "nik": SIGNER.nik, "files": 5, "visible": False}]
    for result in report.results:
        view = services.queries.case(result.draft.case_id)
        assert kept[result.number] == view.reg_number  # the number kept for this letter
        assert _state(services, result.draft.case_id) == ("nomor_izin", result.number)
        permit = next(d for d in view.documents if d.kind == "izin")
        pdf = services.documents.pdf(permit.id)
        assert result.number in squash(pdf_text(pdf))
        (sig,) = esign.validate_signatures(pdf, [sim.pki.certificate])
        assert sig.ok and sig.signer.common_name == SIGNER.name
    lines = services.books.agenda("izin_lks_asing", 2026)
    assert [r.number for r in lines] == book and [r.signature for r in lines] == ["TTE"] * 5


def test_v2_cancelling_while_preparing_sends_only_the_prepared_files(services, users, drafts, sim):
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id,
            backend="bsre",
            gateway_url=sim.url,
            nik=SIGNER.nik,
            api_version="v2",
        ),
    )
    kadis = users["kadis"]
    prepared: list[str] = []
    report = bs.sign_waiting(
        services,
        kadis,
        bs.waiting_drafts(services, kadis),
        {"passphrase": SIGNER.passphrase},
        progress=lambda done, _total, label: prepared.append(label) if label else None,
        cancelled=lambda: len(prepared) >= 2,
    )
    assert [r.status for r in report.results] == [bs.SIGNED] * 2 + [bs.CANCELLED] * 3
    assert sim.sign_requests == [{"api": "v2", "nik": SIGNER.nik, "files": 2, "visible": False}]
    assert len(bs.waiting_drafts(services, kadis)) == 3
    lines = services.books.agenda("izin_lks_asing", 2026)
    assert [r.signature for r in lines] == ["TTE", "TTE"]


def test_a_v2_letter_changed_since_it_was_prepared_is_refused_not_sent_again() -> None:
    """The batch's one call spent BSrE's one-time code: a letter that renders differently when
    it is stored is refused with its own sentence, and nothing goes to the gateway again."""
    from desktop_perizinan.services.esign.backend import SignRequest

    class Gateway:
        kind = "bsre"

        def __init__(self) -> None:
            self.calls: list[object] = []

        def sign(self, request: object, at: object) -> object:
            self.calls.append(request)
            return request

    gateway = Gateway()
    prepared = SignRequest(pdf=b"%PDF-1.7 huruf a", reason="Izin 503/0001")
    replay = bs._Replay(gateway, prepared, signed="signed-in-the-batch")
    assert replay.sign(SignRequest(pdf=b"%PDF-1.7 huruf a", reason="Izin 503/0001"), None) == (
        "signed-in-the-batch"
    )
    with pytest.raises(ValidationError) as refused:
        replay.sign(SignRequest(pdf=b"%PDF-1.7 huruf b", reason="Izin 503/0001"), None)
    assert refused.value.message == bs.CHANGED_SINCE_PREPARED
    assert gateway.calls == []
