"""Numbers from outside the app (issue 13.6), on SQLite and PostgreSQL: hand-issued numbers,
reservations that expire to a voided line, the gap report, and hostile input."""

from __future__ import annotations

import multiprocessing as mp
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import AgendaEntry, AuditEntry, NumberBook
from desktop_perizinan.errors import PermissionDenied, ValidationError
from desktop_perizinan.services import numbering
from desktop_perizinan.services.outside_numbers import DEFAULT_RESERVATION_HOURS

BOOK = "surat_keluar"


def _lines(services):
    with services.db.reading() as session:
        return session.execute(
            select(
                AgendaEntry.seq, AgendaEntry.number, AgendaEntry.origin, AgendaEntry.voided
            ).order_by(AgendaEntry.book_id, AgendaEntry.seq)
        ).all()


def _audit_count(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def _take(services, users, count: int = 1) -> list[str]:
    out = []
    for _ in range(count):
        with services.db.transaction() as session:
            entry = numbering.take_number(
                session, BOOK, when=services.now(), taken_by=users["ksb_umum"].id, subject="x"
            )
            out.append(entry.number)
    return out


def test_manual_number_is_the_next_line_and_the_counter_follows(services, users):
    clerk = users["ksb_umum"]
    _take(services, users, 2)
    today = services.now().date()
    seq, expected = services.outside_numbers.next_number(BOOK, today)
    assert seq == 3
    line = services.outside_numbers.record_manual(
        clerk,
        BOOK,
        number=expected,
        letter_date=today,
        subject="Undangan rapat koordinasi",
        issued_by="Drs. Kadis",
        reason="Listrik padam, surat diketik manual",
    )
    assert (line.seq, line.number) == (3, expected)
    after = _take(services, users)[0]
    assert after == numbering.format_number("503/{urut:03}/DPMPTSPK/{tahun}", 4, services.now())
    report = services.outside_numbers.gap_report(BOOK, today.year)
    assert report.gaps == 0 and report.last == 4
    assert [(g.seq, g.kind, g.who) for g in report.lines] == [(3, "manual", "Drs. Kadis")]
    assert "Listrik padam" in report.lines[0].note


def test_hostile_manual_numbers_change_nothing(services, users):
    clerk = users["ksb_umum"]
    taken = _take(services, users, 2)
    today = services.now().date()
    before, audits = _lines(services), _audit_count(services)
    good = dict(letter_date=today, subject="Surat", issued_by="Kadis", reason="Server mati")
    with pytest.raises(ValidationError, match="sudah ada di buku") as exc:
        services.outside_numbers.record_manual(clerk, BOOK, number=taken[0], **good)
    assert "Tidak ada yang diubah" in exc.value.message
    with pytest.raises(ValidationError, match="sudah ada di buku"):
        services.outside_numbers.record_manual(clerk, BOOK, number="2", **good)
    with pytest.raises(ValidationError, match="agar buku tidak bercelah"):
        services.outside_numbers.record_manual(clerk, BOOK, number="9", **good)
    with pytest.raises(ValidationError, match="tidak sesuai pola"):
        services.outside_numbers.record_manual(clerk, BOOK, number="ABC/1", **good)
    with pytest.raises(ValidationError, match="sudah ditutup"):
        services.outside_numbers.record_manual(
            clerk, BOOK, number="3", **{**good, "letter_date": date(today.year - 1, 12, 30)}
        )
    with pytest.raises(ValidationError, match="Alasan"):
        services.outside_numbers.record_manual(clerk, BOOK, number="3", **{**good, "reason": "x"})
    with pytest.raises(PermissionDenied):
        services.outside_numbers.record_manual(users["front_office"], BOOK, number="3", **good)
    assert _lines(services) == before
    assert _audit_count(services) == audits


def test_reserved_number_expires_to_a_voided_line(services, users, clock):
    clerk = users["ksb_umum"]
    reserved = services.outside_numbers.reserve(
        clerk, BOOK, purpose="Surat edaran Kadis", requested_by="Ajudan Kadis"
    )
    assert reserved.reserved_until == services.now() + timedelta(hours=DEFAULT_RESERVATION_HOURS)
    used = services.outside_numbers.reserve(
        clerk, BOOK, purpose="Nota dinas ke Bupati", requested_by="Sekretaris"
    )
    services.outside_numbers.use_reservation(clerk, used.id, subject="Nota dinas laporan")
    after = _take(services, users)[0]  # the counter went on past both reservations
    assert after.startswith("503/003/")
    assert [o.number for o in services.outside_numbers.open_reservations(BOOK)] == [reserved.number]
    clock.advance(DEFAULT_RESERVATION_HOURS * 60 + 1)
    report = services.outside_numbers.gap_report(BOOK, None)
    kinds = {g.seq: g.kind for g in report.lines}
    assert kinds == {1: "dibatalkan", 2: "dipesan, terpakai"}
    assert "tidak dipakai" in report.lines[0].note
    assert report.gaps == 0
    with services.db.reading() as session:
        entry = session.get(AgendaEntry, reserved.id)
        assert entry.voided and entry.origin == "reserved" and entry.voided_by is None
    with pytest.raises(ValidationError, match="sudah dibatalkan"):
        services.outside_numbers.use_reservation(clerk, reserved.id, subject="Terlambat")
    assert services.outside_numbers.open_reservations(BOOK) == []


def test_reservation_on_a_closed_year_changes_nothing(services, users):
    clerk = users["ksb_umum"]
    before, audits = _lines(services), _audit_count(services)
    last_year = date(services.now().year - 1, 12, 31)
    with pytest.raises(ValidationError, match="sudah ditutup"):
        services.outside_numbers.reserve(
            clerk, BOOK, purpose="Surat tahun lalu", requested_by="Kadis", letter_date=last_year
        )
    with pytest.raises(ValidationError, match="Keperluan"):
        services.outside_numbers.reserve(clerk, BOOK, purpose="  ", requested_by="Kadis")
    assert _lines(services) == before
    assert _audit_count(services) == audits


def test_reservation_hours_are_an_office_setting(services, users):
    services.outside_numbers.set_reservation_hours(users["admin"], 2)
    assert services.outside_numbers.reservation_hours() == 2
    line = services.outside_numbers.reserve(
        users["ksb_umum"], BOOK, purpose="Surat undangan", requested_by="Kabid"
    )
    assert line.reserved_until == services.now() + timedelta(hours=2)
    with pytest.raises(ValidationError):
        services.outside_numbers.set_reservation_hours(users["admin"], 0)
    with pytest.raises(PermissionDenied):
        services.outside_numbers.set_reservation_hours(users["ksb_umum"], 5)


# ----------------------------------------------------------------- eight processes, mixed

WORKERS, PER_WORKER = 8, 6


def _mixed(url: str, forms: str, clerk_id: int, worker: int, queue) -> None:  # child process
    from pathlib import Path

    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import demo_clock

    services = Services.open(url, Path(forms), clock=demo_clock())
    clerk = Actor(id=clerk_id, username="ksb", full_name="KSB", roles=frozenset({"ksb_umum"}))
    try:
        done = []
        for index in range(PER_WORKER):
            kind = (worker + index) % 3
            if kind == 0:
                done.append(_take(services, {"ksb_umum": clerk})[0])
            elif kind == 1:
                line = services.outside_numbers.reserve(
                    clerk, BOOK, purpose=f"Pesanan {worker}-{index}", requested_by="Kadis"
                )
                done.append(line.number)
            else:
                done.append(_manual_next(services, clerk, f"Manual {worker}-{index}"))
        queue.put(("ok", done))
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        services.close()


def _manual_next(services, clerk, subject: str) -> str:
    """A clerk copying the next number from the screen onto a letter; another PC may take it
    first, then the clerk is told "sudah ada" and tries the new next number."""
    today = services.now().date()
    for _attempt in range(200):
        seq, _number = services.outside_numbers.next_number(BOOK, today)
        try:
            return services.outside_numbers.record_manual(
                clerk,
                BOOK,
                number=str(seq),
                letter_date=today,
                subject=subject,
                issued_by="Kadis",
                reason="Pemadaman listrik",
            ).number
        except ValidationError as exc:
            assert "sudah ada di buku" in exc.message, exc.message
    raise AssertionError("never got a number")


@pytest.mark.slow
def test_eight_processes_mixing_automatic_reserved_and_manual_numbers(services, users, db_url):
    from tests.services.conftest import FORMS

    clerk_id = users["ksb_umum"].id
    context = mp.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_mixed, args=(db_url, str(FORMS), clerk_id, w, queue))
        for w in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(status == "ok" for status, _ in results), results
    numbers = [n for _, done in results for n in done]
    assert len(numbers) == WORKERS * PER_WORKER
    assert len(set(numbers)) == len(numbers)  # 0 duplicates
    db = Database(db_url)
    with db.reading() as session:
        seqs = session.scalars(
            select(AgendaEntry.seq)
            .join(NumberBook)
            .where(NumberBook.code == BOOK)
            .order_by(AgendaEntry.seq)
        ).all()
        origins = set(session.scalars(select(AgendaEntry.origin)))
    db.dispose()
    assert seqs == list(range(1, WORKERS * PER_WORKER + 1))  # 0 gaps
    assert origins == {"app", "reserved", "manual"}
    assert services.outside_numbers.gap_report(BOOK, None).gaps == 0


def test_cli_records_reserves_and_reports(services, users, db_url, capsys):
    from desktop_perizinan.cli import main

    today = services.now().date()
    base = ["--db", db_url, "--forms", str(_forms())]
    assert (
        main(["nomor", "pesan", BOOK, "--keperluan", "Surat Kadis", "--pemesan", "Ajudan", *base])
        == 0
    )
    assert "Nomor dipesan: 503/001/" in capsys.readouterr().out
    manual = ["--tanggal", today.isoformat(), "--perihal", "Undangan", "--oleh", "Kadis"]
    assert (
        main(["nomor", "manual", BOOK, "--nomor", "1", *manual, "--alasan", "Server mati", *base])
        == 2
    )
    assert "sudah ada di buku" in capsys.readouterr().err
    assert (
        main(["nomor", "manual", BOOK, "--nomor", "2", *manual, "--alasan", "Server mati", *base])
        == 0
    )
    assert main(["nomor", "celah", BOOK, *base]) == 0
    out = capsys.readouterr().out
    assert "0 celah" in out and "dipesan" in out and "manual" in out and "Kadis" in out
    assert (
        main(
            [
                "nomor",
                "pesan",
                BOOK,
                "--keperluan",
                "Surat lama",
                "--pemesan",
                "X",
                "--tanggal",
                f"{today.year - 1}-06-01",
                *base,
            ]
        )
        == 2
    )
    assert "sudah ditutup" in capsys.readouterr().err


def _forms():
    from tests.services.conftest import FORMS

    return FORMS
