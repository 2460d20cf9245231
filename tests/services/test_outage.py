"""Outage mode against the real BSrE simulator over HTTP: the gateway is down → the Kadis signs
wet on the same number → the agenda book and the reports show "TTE menunggu" → the TTE is
attached later (signed through the gateway once it is back, or a file signed elsewhere) and
linked to that number, validated first. SQLite and PostgreSQL."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from desktop_perizinan.devtools.bsre_sim import DEMO_USERS, BsreSimulator
from desktop_perizinan.errors import PermissionDenied, ValidationError
from desktop_perizinan.services import esign, tte_outage
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.services.verification import Verdict, verify_pdf
from desktop_perizinan.workflow.definition import CaseStatus

DAIRI = "DAIRI-LKS-ASING"
SIGNER = DEMO_USERS[0]


@pytest.fixture
def sim() -> Iterator[BsreSimulator]:
    with BsreSimulator() as simulator:
        yield simulator


def _dead_url() -> str:
    """An address on 127.0.0.1 where nothing listens (the gateway PC is off)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _use_bsre(services, users, url: str) -> None:
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id, backend="bsre", gateway_url=url, nik=SIGNER.nik
        ),
    )


def _at_signing(services, driver, seed: int = 0):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[seed % len(DEMO_APPLICANTS)], seed=seed)
    assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
    step = services.queries.case(intake.case_id).open_step
    assert step is not None and step.step_id == "ttd_izin"
    return intake.case_id, step.step_record_id


def _permit(services, case_id: int):
    return next(d for d in services.queries.case(case_id).documents if d.kind == "izin")


def _sign_wet_after_outage(services, users, driver, seed: int = 0) -> tuple[int, int]:
    """Try TTE with the gateway down, then sign wet with TTE to follow; run to the end."""
    _use_bsre(services, users, _dead_url())
    case_id, record_id = _at_signing(services, driver, seed)
    kadis = users["kadis"]
    with pytest.raises(esign.GatewayUnreachable) as refused:
        services.work.act(
            kadis,
            ActRequest(record_id, "ditandatangani", data={"mode": "elektronik", "passphrase": "x"}),
        )
    assert refused.value.gateway_down
    view = services.queries.case(case_id)
    assert view.open_step is not None and view.open_step.step_id == "ttd_izin"
    assert view.permit_number is None  # nothing changed, no number taken
    services.work.act(
        kadis,
        ActRequest(
            record_id,
            "ditandatangani",
            data={"mode": "basah", "tte_menyusul": True, "alasan": refused.value.message},
        ),
    )
    waiting = tte_outage.pending(services)
    assert [w.case_id for w in waiting][-1] == case_id and waiting[-1].number is None
    assert driver.run(case_id) is CaseStatus.ISSUED
    return case_id, _permit(services, case_id).id


def test_gateway_down_wet_signature_then_tte_through_the_gateway(services, users, driver, sim):
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    case_id, document_id = _sign_wet_after_outage(services, users, driver)
    view = services.queries.case(case_id)
    number = view.permit_number
    assert number

    # The reports and the agenda book say the TTE is still to come.
    (waiting,) = tte_outage.pending(services)
    assert waiting.number == number and waiting.signer == users["kadis"].full_name
    assert "tidak dapat dihubungi" in waiting.reason
    (line,) = services.books.agenda("izin_lks_asing", 2026)
    assert line.number == number and line.signature == "basah, TTE menunggu"
    wet_final = services.documents.pdf(document_id)
    assert not esign.has_signatures(wet_final)
    to_sign = tte_outage.pdf_for_tte(services, users["kadis"], document_id)

    # Only the wet signer signs the TTE of his letter.
    with pytest.raises(PermissionDenied):
        tte_outage.sign_deferred(services, users["kabid"], document_id, {"passphrase": "x"})
    # The gateway is back: wrong passphrase first (nothing changes), then the right one.
    _use_bsre(services, users, sim.url)
    with pytest.raises(esign.WrongPassphrase):
        tte_outage.sign_deferred(services, users["kadis"], document_id, {"passphrase": "salah"})
    assert tte_outage.pending(services)
    result = tte_outage.sign_deferred(
        services, users["kadis"], document_id, {"passphrase": SIGNER.passphrase}
    )
    assert result.number == number and result.trusted

    signed = services.documents.pdf(document_id)
    # The same final (as one revision), with one signature appended.
    assert signed.startswith(to_sign) and len(signed) > len(to_sign)
    assert tte_outage.pdf_for_tte(services, users["kadis"], document_id) == signed
    (report,) = esign.validate_signatures(signed, [sim.pki.certificate])
    assert report.ok and report.signer is not None
    assert verify_pdf(services, signed).verdict is Verdict.VALID
    assert services.queries.case(case_id).permit_number == number  # the same number
    assert tte_outage.pending(services) == []
    (line,) = services.books.agenda("izin_lks_asing", 2026)
    assert line.signature.startswith("basah, TTE ")
    assert "menunggu" not in line.signature
    with pytest.raises(ValidationError, match="sudah dilampirkan"):
        tte_outage.sign_deferred(
            services, users["kadis"], document_id, {"passphrase": SIGNER.passphrase}
        )


def test_a_tte_signed_elsewhere_is_validated_before_it_is_linked(services, users, driver, sim):
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    _case_id, document_id = _sign_wet_after_outage(services, users, driver)
    final = tte_outage.pdf_for_tte(services, users["backoffice"], document_id)
    stored = services.documents.pdf(document_id)
    user = sim.find(SIGNER.nik)
    assert user is not None

    def signed_by_bsre(pdf: bytes) -> bytes:
        return sim.sign(user, pdf, "Izin", "Sidikalang", False, 1, None)

    # Not a PDF; the right document but changed before signing; unsigned; a foreign signer.
    with pytest.raises(ValidationError, match="bukan PDF"):
        tte_outage.attach_tte(services, users["backoffice"], document_id, b"hello")
    changed = final.replace(b"/Producer", b"/Producex", 1)
    assert changed != final
    with pytest.raises(ValidationError, match="Berkas TTE ditolak"):
        tte_outage.attach_tte(services, users["backoffice"], document_id, signed_by_bsre(changed))
    with pytest.raises(ValidationError, match="Berkas TTE ditolak"):
        tte_outage.attach_tte(services, users["backoffice"], document_id, final)
    other = type(user)(nik="1211010101700009", name="Orang Lain", passphrase="p")
    sim.add_user(other)
    with pytest.raises(ValidationError, match="bukan milik"):
        tte_outage.attach_tte(
            services,
            users["backoffice"],
            document_id,
            sim.sign(other, final, "Izin", "Sidikalang", False, 1, None),
        )
    # A role that does not handle documents may not attach.
    with pytest.raises(PermissionDenied):
        tte_outage.attach_tte(services, users["front_office"], document_id, signed_by_bsre(final))
    assert tte_outage.pending(services)[0].document_id == document_id
    assert services.documents.pdf(document_id) == stored  # nothing changed so far

    good = signed_by_bsre(final)
    result = tte_outage.attach_tte(services, users["backoffice"], document_id, good)
    assert services.documents.pdf(document_id) == good
    assert result.signer == SIGNER.name and "versi final" in result.message
    assert tte_outage.pending(services) == []
    (done,) = tte_outage.pending(services, include_attached=True)
    assert done.attached_at is not None


def test_wet_with_tte_to_follow_needs_a_reason_and_is_not_an_electronic_signature(
    services, users, driver
):
    case_id, record_id = _at_signing(services, driver)
    with pytest.raises(ValidationError, match="TTE menyusul"):
        services.work.act(
            users["kadis"],
            ActRequest(record_id, "ditandatangani", data={"mode": "basah", "tte_menyusul": True}),
        )
    assert tte_outage.pending(services) == []
    assert services.queries.case(case_id).open_step.step_id == "ttd_izin"
