"""``perizinan dev ...``: tools for development and training, never needed by an office.

``perizinan dev bsre-sim --port N`` runs the BSrE Esign Client Service simulator
(``devtools/bsre_sim``) on 127.0.0.1 until Ctrl+C: point a signer's gateway address in
Pengaturan at it to try BSrE signing without BSrE, and add its CA (``/_sim/ca.pem``, or
``--ca-out``) as a trusted root so ``perizinan verify`` accepts what it signed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_perizinan.cli._common import Verbs
from desktop_perizinan.errors import UserError


def _user(text: str) -> object:
    from desktop_perizinan.devtools.bsre_sim import SimUser

    parts = text.split(":")
    if len(parts) < 3 or not parts[0].isdigit() or len(parts[0]) != 16:
        raise argparse.ArgumentTypeError("tulis NIK:NAMA:PASSPHRASE[:EMAIL[:TOTP]] (NIK 16 angka)")
    return SimUser(
        nik=parts[0],
        name=parts[1],
        passphrase=parts[2],
        email=parts[3] if len(parts) > 3 else "",
        totp=parts[4] if len(parts) > 4 else "",
    )


def cmd_bsre_sim(args: argparse.Namespace) -> int:
    from desktop_perizinan.devtools.bsre_sim import DEMO_USERS, BsreSimulator

    try:
        sim = BsreSimulator(args.user or DEMO_USERS, port=args.port)
    except OSError as exc:
        raise UserError(f"Port {args.port} tidak dapat dipakai: {exc.strerror}.") from None
    if args.ca_out:
        Path(args.ca_out).write_bytes(sim.ca_pem)
    print(f"Simulator BSrE berjalan di {sim.url} (Ctrl+C untuk berhenti)")
    print(f"Sertifikat CA simulator: {sim.url}/_sim/ca.pem")
    for user in sim.users.values():
        print(f"  penanda tangan: {user.name} (NIK {user.nik})")
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        print("Simulator dihentikan.")
    finally:
        sim.close()
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``dev`` (with ``bsre-sim``) to the ``perizinan`` command."""
    dev = verbs.add_parser(
        "dev",
        help="alat pengembangan dan pelatihan (simulator BSrE)",
        description="Alat untuk pengembangan, uji coba dan pelatihan; tidak dibutuhkan kantor.",
        parents=[common],
    )
    tools = dev.add_subparsers(dest="tool", metavar="ALAT", required=True)
    sim = tools.add_parser(
        "bsre-sim",
        help="jalankan simulator Esign Client Service BSrE di 127.0.0.1",
        description="Simulator gateway BSrE (API V1 dan V2, verifikasi, status sertifikat) "
        "dengan CA sekali pakai. Hanya untuk uji coba: tanda tangannya tidak sah secara hukum.",
    )
    sim.add_argument("--port", type=int, default=8089, help="port (bawaan 8089; 0 = bebas)")
    sim.add_argument(
        "--user",
        action="append",
        type=_user,
        metavar="NIK:NAMA:PASSPHRASE",
        help="penanda tangan terdaftar (boleh berulang; bawaan: Kadis demo)",
    )
    sim.add_argument("--ca-out", metavar="BERKAS", help="tulis sertifikat CA simulator (PEM)")
    sim.set_defaults(handler=cmd_bsre_sim)
