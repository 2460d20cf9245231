"""BSrE signing through the real simulator over HTTP (never a patched client): a permit signed
through V1 and V2, every error code as a message with nothing about the case changed, the
passphrase found nowhere on disk, and a PDF changed after signing reported by ``perizinan
verify``."""

from __future__ import annotations

import io
import logging
import traceback

import pytest
from pdftext import pdf_text, squash
from sqlalchemy import select, text

from desktop_perizinan.db.models import Base, StepRecord
from desktop_perizinan.devtools.bsre_sim import BsreSimulator, SimUser
from desktop_perizinan.errors import FieldErrors, PermissionDenied
from desktop_perizinan.services import esign
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.services.verification import Verdict, verify_pdf
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"
KADIS_NIK = "1211010101700001"
#: Distinctive, so a search of the disk cannot match by accident.
PASSPHRASE = "Bsre-Rahasia-7781-zq"
TOTP = "908172"
WRONG = "Salah-Sandi-5530-qx"


@pytest.fixture(scope="module")
def sim():
    user = SimUser(
        nik=KADIS_NIK,
        name="MARISI SIANTURI",
        passphrase=PASSPHRASE,
        email="kadis@dairikab.go.id",
        totp=TOTP,
    )
    with BsreSimulator([user]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_faults_left(sim):
    sim.clear_faults()
    yield
    sim.clear_faults()


def _configure(services, users, sim, **changes) -> esign.SignerConfig:
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    config = esign.SignerConfig(
        user_id=users["kadis"].id,
        backend="bsre",
        gateway_url=sim.url,
        nik=KADIS_NIK,
        **changes,
    )
    return esign.save_signer_config(services, users["admin"], config)


def _to_signing(services, driver, seed: int = 0):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0], seed=seed)
    assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
    return intake.case_id, services.queries.case(intake.case_id)


def _sign(services, users, view, **secret):
    services.work.act(
        users["kadis"],
        ActRequest(
            view.open_step.step_record_id,
            "ditandatangani",
            data={"mode": "elektronik", **secret},
        ),
    )


# ----------------------------------------------------------------------------- settings


def test_signer_settings_are_checked_and_kept_by_an_administrator(services, users, sim):
    kadis = users["kadis"]
    assert esign.get_signer_config(services, kadis.id).backend == "pkcs12"
    bad = esign.SignerConfig(
        user_id=kadis.id, backend="bsre", gateway_url="ftp://x", nik="12", secret_kind="totp"
    )
    with pytest.raises(FieldErrors) as caught:
        esign.save_signer_config(services, users["admin"], bad)
    assert set(caught.value.errors) >= {"gateway_url", "nik", "secret_kind"}
    good = esign.SignerConfig(user_id=kadis.id, backend="bsre", gateway_url=sim.url, nik=KADIS_NIK)
    with pytest.raises(PermissionDenied):
        esign.save_signer_config(services, kadis, good)
    assert esign.get_signer_config(services, kadis.id).backend == "pkcs12"
    esign.save_signer_config(services, users["admin"], good)
    assert esign.get_signer_config(services, kadis.id) == good
    from desktop_perizinan.services.esign.bsre_backend import check_signer_status

    assert check_signer_status(good) == "ISSUE"


# ----------------------------------------------------------------------------- V1 and V2


@pytest.mark.parametrize(
    ("api", "secret"),
    [("v1", {"passphrase": PASSPHRASE}), ("v2", {"totp": TOTP})],
    ids=["v1-passphrase", "v2-totp"],
)
def test_a_permit_signed_through_bsre(services, users, driver, sim, api, secret):
    kind = "totp" if "totp" in secret else "passphrase"
    _configure(services, users, sim, api_version=api, secret_kind=kind)
    before = len(sim.sign_requests)
    case_id, view = _to_signing(services, driver)
    _sign(services, users, view, **secret)
    assert sim.sign_requests[before:] == [
        {"api": api, "nik": KADIS_NIK, "files": 1, "visible": False}
    ]
    assert driver.run(case_id) is CaseStatus.ISSUED
    view = services.queries.case(case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    final = services.documents.pdf(permit.id)
    assert view.permit_number in squash(pdf_text(final))
    (report,) = esign.validate_signatures(final, [esign.load_certificates(sim.ca_pem)[0]])
    assert report.ok and report.signer.subject_serial == KADIS_NIK
    assert verify_pdf(services, final).verdict is Verdict.VALID
    with services.db.reading() as session:
        record = session.scalars(
            select(StepRecord).where(
                StepRecord.case_id == case_id, StepRecord.step_id == "ttd_izin"
            )
        ).one()
        assert record.data["backend"] == "bsre" and record.data["api"] == api
        assert record.data["sertifikat"]["subjek"].count(KADIS_NIK) == 1


def test_a_visible_stamp_goes_at_the_marker_printed_once(services, users, driver, sim):
    _configure(services, users, sim, appearance="visible", placement="penanda", marker="§")
    before = len(sim.sign_requests)
    case_id, view = _to_signing(services, driver)
    _sign(services, users, view, passphrase=PASSPHRASE)
    assert sim.sign_requests[before:] == [
        {"api": "v1", "nik": KADIS_NIK, "files": 1, "visible": True}
    ]
    doc = next(d for d in services.queries.case(case_id).documents if d.kind == "izin")
    signed = services.documents.pdf(doc.id)
    assert squash(pdf_text(signed)).count("§") == 1
    from pypdf import PdfReader

    widgets = [
        a.get_object()
        for page in PdfReader(io.BytesIO(signed)).pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/FT") == "/Sig"
    ]
    (widget,) = widgets
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert x2 > x1 and y2 > y1  # a visible stamp, where the marker was


def test_a_marker_found_more_than_once_is_refused_before_sending(services, users, driver, sim):
    _configure(services, users, sim, appearance="visible", placement="penanda", marker=":")
    before = sim.attempts
    case_id, view = _to_signing(services, driver)
    with pytest.raises(esign.PreflightError, match="tepat satu kali"):
        _sign(services, users, view, passphrase=PASSPHRASE)
    assert sim.attempts == before  # nothing was sent
    assert services.queries.case(case_id).permit_number is None


# ----------------------------------------------------------------------------- errors

FAULTS = [
    ("2011", esign.SignerNotRegistered, "belum terdaftar di BSrE", False),
    ("2031", esign.WrongPassphrase, "salah (kode 2031)", False),
    ("429", esign.GatewayBusy, "sedang sibuk (429", True),
    ("503", esign.GatewayBusy, "sedang sibuk (503", True),
    ("slow", esign.GatewayTimeout, "tidak menjawab dalam", True),
    ("drop", esign.GatewayUnreachable, "tidak dapat dihubungi", True),
    ("corrupt", esign.InvalidSignedPdf, "tidak utuh", False),
    ("garbage", esign.InvalidSignedPdf, "bukan berkas PDF", False),
]


@pytest.mark.parametrize(("fault", "error", "words", "down"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_gateway_error_is_a_message_and_changes_nothing(
    services, users, driver, sim, monkeypatch, fault, error, words, down
):
    monkeypatch.setenv("PERIZINAN_BSRE_TIMEOUT", "0.5")
    _configure(services, users, sim)
    case_id, before = _to_signing(services, driver)
    sim.inject(fault, count=10, delay=1.5)
    with pytest.raises(error) as caught:
        _sign(services, users, before, passphrase=PASSPHRASE)
    assert words in caught.value.message and caught.value.gateway_down is down
    assert PASSPHRASE not in caught.value.message
    after = services.queries.case(case_id)
    assert after.timeline == before.timeline and after.documents == before.documents
    assert after.permit_number is None and after.open_step == before.open_step
    # The number was taken for this permit before the gateway was called (the book's counter
    # is not locked during the call): it stays in the book for it, unsigned, no gap.
    (line,) = services.books.agenda("izin_lks_asing", 2026)
    assert (line.number, line.reg_number) == ("503/0001/IT-LKSA/DPMPTSPK/2026", before.reg_number)
    assert line.signature == "menunggu TTD" and not line.voided


def test_an_unreachable_gateway_and_an_empty_passphrase(services, users, driver, sim):
    _configure(services, users, sim)
    case_id, view = _to_signing(services, driver)
    with pytest.raises(esign.SigningError.__mro__[1]):  # ValidationError-like: UserError
        _sign(services, users, view, passphrase="")
    with sim.__class__([]) as other:
        url = other.url  # a port that was free a moment ago, closed now
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id, backend="bsre", gateway_url=url, nik=KADIS_NIK
        ),
    )
    with pytest.raises(esign.GatewayUnreachable):
        _sign(services, users, view, passphrase=PASSPHRASE)
    assert services.queries.case(case_id).permit_number is None


# ----------------------------------------------------------------------------- the secret


def test_the_passphrase_is_found_nowhere_on_disk(
    services, users, driver, sim, db_url, tmp_path, capfd, caplog
):
    log_file = tmp_path / "perizinan.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        _configure(services, users, sim)
        case_id, view = _to_signing(services, driver)
        with pytest.raises(esign.WrongPassphrase) as caught:
            _sign(services, users, view, passphrase=WRONG)
        # The traceback a crash report would print: no secret, no httpx request in the chain.
        shown = "".join(traceback.format_exception(caught.value))
        assert WRONG not in shown and "httpx" not in shown
        logging.getLogger("test").exception("signing failed", exc_info=caught.value)
        _sign(services, users, view, passphrase=PASSPHRASE)
        assert driver.run(case_id) is CaseStatus.ISSUED
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    secrets = [PASSPHRASE.encode(), WRONG.encode()]
    # Every row of every table, whatever the database.
    with services.db.reading() as session:
        dump = io.StringIO()
        for table in Base.metadata.sorted_tables:
            for row in session.execute(text(f"SELECT * FROM {table.name}")):
                dump.write(repr(tuple(row)))
    rows = dump.getvalue().encode()
    assert b"MARISI" in rows or b"Marisi" in rows  # the dump did read the data
    on_disk = [rows, log_file.read_bytes(), caplog.text.encode()]
    out, err = capfd.readouterr()
    on_disk += [out.encode(), err.encode()]
    if db_url.startswith("sqlite"):
        path = db_url.split("///", 1)[1]
        for suffix in ("", "-wal", "-journal"):
            try:
                with open(path + suffix, "rb") as f:
                    on_disk.append(f.read())
            except FileNotFoundError:
                pass
    assert len(log_file.read_bytes()) > 0
    for blob in on_disk:
        for secret in secrets:
            assert secret not in blob


def test_the_secret_is_not_serialised_or_shown():
    import pickle

    secret = esign.Secret(PASSPHRASE)
    assert PASSPHRASE not in repr(secret) and PASSPHRASE not in str(secret)
    with pytest.raises(TypeError):
        pickle.dumps(secret)


# ----------------------------------------------------------------------------- verify


def test_a_pdf_changed_after_signing_is_reported_by_perizinan_verify(
    services, users, driver, sim, db_url, tmp_path, capsys
):
    from desktop_perizinan.cli import main

    _configure(services, users, sim)
    case_id, view = _to_signing(services, driver)
    _sign(services, users, view, passphrase=PASSPHRASE)
    assert driver.run(case_id) is CaseStatus.ISSUED
    permit = next(d for d in services.queries.case(case_id).documents if d.kind == "izin")
    signed = services.documents.pdf(permit.id)
    good = tmp_path / "izin.pdf"
    good.write_bytes(signed)
    assert main(["verify", "--db", db_url, str(good)]) == 0
    assert "SAH" in capsys.readouterr().out.upper()

    changed = bytearray(signed)
    at = signed.index(b"/Producer") if b"/Producer" in signed else len(signed) // 4
    changed[at + 2] = ord("X")
    bad = tmp_path / "izin-diubah.pdf"
    bad.write_bytes(bytes(changed))
    assert main(["verify", "--db", db_url, str(bad)]) == 1
    out = capsys.readouterr().out
    assert "TIDAK SAH" in out.upper()


# ----------------------------------------------------------------------------- batches


def _backend(sim, api: str, secret: str) -> esign.SigningBackend:
    from desktop_perizinan.services.esign.bsre_backend import BsreBackend

    config = esign.SignerConfig(
        user_id=1, backend="bsre", gateway_url=sim.url, api_version=api, nik=KADIS_NIK
    )
    return BsreBackend(
        config,
        esign.Secret(secret),
        esign.ExpectedSigner("Marisi Sianturi", nik=KADIS_NIK),
        trust_roots=esign.load_certificates(sim.ca_pem),
    )


def _letters(count: int) -> list[esign.SignRequest]:
    from desktop_perizinan.documents import samples
    from desktop_perizinan.documents.pdf import render

    pdf = render(samples.sample_permit())
    return [esign.SignRequest(pdf=pdf, reason=f"Surat {i}", label=f"S-{i}") for i in range(count)]


def test_v2_signs_a_batch_in_one_call_and_v1_stops_at_a_wrong_passphrase(sim):
    from datetime import datetime

    before = len(sim.sign_requests)
    results = _backend(sim, "v2", PASSPHRASE).sign_batch(_letters(3), datetime.now())
    assert all(isinstance(r, esign.SignedPdf) for r in results) and len(results) == 3
    assert sim.sign_requests[before:] == [
        {"api": "v2", "nik": KADIS_NIK, "files": 3, "visible": False}
    ]
    before = sim.attempts
    results = _backend(sim, "v1", WRONG).sign_batch(_letters(3), datetime.now())
    assert all(isinstance(r, esign.WrongPassphrase) for r in results)
    assert sim.attempts == before + 1  # refused once, the same secret not sent again
