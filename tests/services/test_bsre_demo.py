"""``perizinan demo --tte bsre-sim``: every signing step of every permit type through the BSrE
backend against a simulator over HTTP; each final carries a PAdES signature that pyHanko
validates against the simulator's CA, made by the signer's certificate (NIK as issued)."""

from __future__ import annotations

from desktop_perizinan.devtools.bsre_sim import BsreSimulator
from desktop_perizinan.devtools.demo_tte import SimulatedBsre, demo_nik
from desktop_perizinan.services import esign
from desktop_perizinan.services.demo import run_demo


def test_the_demo_signs_every_final_through_bsre(services, clock):
    with BsreSimulator([]) as sim:
        summary = run_demo(services, clock, signing=SimulatedBsre(sim))
        requests = sim.sign_requests
    assert summary.ok, [(r.form_code, r.branch, r.problem) for r in summary.runs if not r.ok]
    assert {r["api"] for r in requests} == {"v1", "v2"}  # both APIs were used
    roots = esign.load_certificates(sim.ca_pem)
    configs = esign.list_signer_configs(services)
    assert configs and all(c.backend == "bsre" for c in configs)
    niks = {demo_nik(c.user_id) for c in configs}
    assert {c.nik for c in configs} == niks
    finals = 0
    for run in summary.runs:
        view = services.queries.case(run.case_id)
        for doc in view.documents:
            if doc.kind not in ("izin", "penolakan") or doc.number is None:
                continue
            pdf = services.documents.pdf(doc.id)
            (report,) = esign.validate_signatures(pdf, roots)
            assert report.ok, report.messages
            assert report.signer.subject_serial in niks
            finals += 1
    assert finals == len(summary.runs)
    assert len(requests) >= finals
