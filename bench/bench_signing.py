"""Electronic signing and validation time per document, beside pyHanko's bare sign.

    .venv/bin/python bench/bench_signing.py [--runs N] [--cases N]

All with one RSA-2048 key (a throwaway CA and a PKCS#12 made with ``cryptography``), in the
same run, interleaved so that every measure sees the same load:

- ``pyHanko polos``: pyHanko's own ``SimpleSigner`` (loaded from the PKCS#12 once) signing a
  one-page reportlab PDF with an invisible field: the floor, nothing of ours;
- ``sign_pdf``: our signature of a final permit (F4, kop, QR, metadata) with the identity
  opened once (the parsed key kept: the case of a head signing a batch). Target < 60 ms;
- ``buka p12 + sign_pdf``: the same when the PKCS#12 and passphrase arrive with each step;
- ``validate_signatures``: offline validation of that signed permit with the office's CA;
- ``BSrE V1/V2 pulang-pergi``: the BSrE backend against the gateway simulator on 127.0.0.1
  (``devtools/bsre_sim``, a real HTTP server in this process): pre-flight (the final rewritten
  as one revision), the HTTP round trip, the simulator's pyHanko signature, and the post-flight
  validation of the returned PDF. ``HTTP status saja`` is one status request: the transport's
  share;
- ``langkah TTE`` (``--cases``): the whole tanda_tangan step through the services on SQLite:
  number taken, final rendered with the QR and the metadata, signed, stored, audited.

Figures are medians (and p95) of wall time in milliseconds; the machine line says where.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _common import machine_line, median, p95, print_table  # noqa: E402
from pki import PASSPHRASE, kadis_pkcs12, make_ca  # noqa: E402

from desktop_perizinan.documents import samples  # noqa: E402
from desktop_perizinan.documents.pdf import render  # noqa: E402
from desktop_perizinan.services import esign  # noqa: E402
from desktop_perizinan.services.verification import embed_payload  # noqa: E402


def wall_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def interleaved(fns: Sequence[Callable[[], object]], runs: int) -> list[list[float]]:
    for fn in fns:
        fn()  # warm-up: imports, fonts, caches
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            times[i].append(wall_ms(fn))
    return times


def bare_one_page() -> bytes:
    """A one-page reportlab PDF with nothing of ours (the floor's input)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.drawString(72, 760, "Surat uji tanda tangan elektronik")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def bare_pyhanko_sign(signer: object, data: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name="Sig", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out)  # type: ignore[arg-type]
    return out.getvalue()


def flow_step_times(cases: int, ca: object, p12: bytes) -> list[float]:
    """The tanda_tangan step of ``cases`` Dairi cases through the services (SQLite)."""
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.casework import ActRequest
    from desktop_perizinan.services.demo import (
        DEMO_APPLICANTS,
        CaseDriver,
        create_demo_users,
        demo_clock,
    )

    times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        clock = demo_clock()
        services = Services.open(f"sqlite:///{folder}/bench.sqlite3", ROOT / "forms", clock=clock)
        try:
            users = create_demo_users(services)
            driver = CaseDriver(services, users, clock)
            identity = esign.open_pkcs12(p12, PASSPHRASE)
            for index in range(cases + 1):
                intake = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[index % 2], seed=index)
                driver.run(intake.case_id, stop_at="ttd_izin")
                step = services.queries.case(intake.case_id).open_step
                assert step is not None
                request = ActRequest(
                    step.step_record_id,
                    "ditandatangani",
                    data={"mode": "elektronik", "identitas": identity},
                )
                elapsed = wall_ms(lambda r=request: services.work.act(users["kadis"], r))
                if index:  # the first one warms the imports up
                    times.append(elapsed)
        finally:
            services.close()
    return times


def bsre_round_trips(permit: bytes, runs: int) -> tuple[list[str], list[list[float]]]:
    """The BSrE backend's round trip (V1 and V2) against the simulator, and HTTP alone."""
    from datetime import datetime

    from desktop_perizinan.devtools.bsre_sim import BsreSimulator, SimUser
    from desktop_perizinan.services.esign.bsre_backend import BsreBackend, client_for

    nik = "1211010101700001"
    user = SimUser(nik=nik, name="MARISI SIANTURI", passphrase="bench-rahasia")
    with BsreSimulator([user]) as sim:
        roots = esign.load_certificates(sim.ca_pem)
        expected = esign.ExpectedSigner("Drs. Marisi Sianturi, M.Si", nik=nik)
        backends = {
            api: BsreBackend(
                esign.SignerConfig(
                    user_id=1, backend="bsre", gateway_url=sim.url, api_version=api, nik=nik
                ),
                esign.Secret("bench-rahasia"),
                expected,
                trust_roots=roots,
            )
            for api in ("v1", "v2")
        }
        request = esign.SignRequest(pdf=permit, reason="Bench", label="503-0007")
        now = datetime.now()
        with client_for(backends["v1"].config) as client:
            times = interleaved(
                [
                    lambda: backends["v1"].sign(request, now),
                    lambda: backends["v2"].sign(request, now),
                    lambda: client.status_v1(nik),
                ],
                runs,
            )
    labels = ["BSrE V1 pulang-pergi (simulator)", "BSrE V2 pulang-pergi (simulator)"]
    return [*labels, "HTTP status saja (simulator)"], times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cases", type=int, default=5, help="kasus untuk langkah TTE (0: lewati)")
    args = parser.parse_args()

    from pyhanko.sign import signers

    ca = make_ca()
    p12 = kadis_pkcs12(ca)
    identity = esign.open_pkcs12(p12, PASSPHRASE)
    bare_signer = signers.SimpleSigner.load_pkcs12_data(p12, [], PASSPHRASE.encode())
    one_page = bare_one_page()
    permit = embed_payload(
        render(samples.sample_permit()), "PRZ|503/0007/IT-LKSA/DPMPTSPK/2026|ABCD-EF01-2345-6789"
    )
    signed = esign.sign_pdf(identity, permit)
    roots = [ca.certificate]

    labels = [
        "pyHanko polos (1 halaman)",
        "sign_pdf (kunci disimpan)",
        "buka p12 + sign_pdf",
        "validate_signatures",
    ]
    times = interleaved(
        [
            lambda: bare_pyhanko_sign(bare_signer, one_page),
            lambda: esign.sign_pdf(identity, permit),
            lambda: esign.sign_pdf(esign.open_pkcs12(p12, PASSPHRASE), permit),
            lambda: esign.validate_signatures(signed, roots),
        ],
        args.runs,
    )
    bsre_labels, bsre_times = bsre_round_trips(permit, args.runs)
    labels += bsre_labels
    times += bsre_times
    if args.cases:
        labels.append(f"langkah TTE lengkap ({args.cases} kasus)")
        times.append(flow_step_times(args.cases, ca, p12))
    floor = median(times[0])
    rows = [
        [label, f"{median(t):.1f}", f"{p95(t):.1f}", f"{median(t) / floor:.2f}"]
        for label, t in zip(labels, times, strict=True)
    ]
    print(f"# {machine_line()}; RSA-2048; {args.runs} kali")
    print_table(["ukuran", "median ms", "p95 ms", "x pyHanko polos"], rows)
    ours = median(times[1])
    print(f"sasaran tanda tangan < 60 ms: {'tercapai' if ours < 60 else 'TIDAK tercapai'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
