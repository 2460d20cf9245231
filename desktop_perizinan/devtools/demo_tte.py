"""``perizinan demo --tte bsre-sim``: every signature of the demo goes through BSrE (simulated).

The demo starts a :class:`~desktop_perizinan.devtools.bsre_sim.BsreSimulator` itself, registers
each demo signer there on first use (a NIK made from the user id, a passphrase known only to
this process), adds the simulator's CA to the office's trusted roots (so the verification of
each final, and ``perizinan verify`` afterwards, judge the signature as trusted), stores each
signer's BSrE setting as Pengaturan would, and alternates V1 and V2 so both APIs are exercised.
"""

from __future__ import annotations

import atexit
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_perizinan.devtools.bsre_sim import BsreSimulator, SimUser
from desktop_perizinan.services import esign
from desktop_perizinan.services.actor import SYSTEM, Actor
from desktop_perizinan.services.esign.bsre_backend import BsreBackend

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services


def demo_nik(user_id: int) -> str:
    """A 16-digit NIK for a demo signer (Kabupaten Dairi's area code, then the user id)."""
    return f"121101{user_id:010d}"


class SimulatedBsre:
    """The signing factory of the demo (``CaseDriver(signing=...)``), bound to a simulator."""

    def __init__(self, sim: BsreSimulator) -> None:
        self.sim = sim
        self._passphrases: dict[int, str] = {}
        self._calls = 0
        self._trusted = False

    def __call__(self, services: Services, actor: Actor) -> BsreBackend:
        if not self._trusted:
            esign.add_trust_root(services, SYSTEM, self.sim.ca_pem)
            self._trusted = True
        nik = demo_nik(actor.id)
        if actor.id not in self._passphrases:
            passphrase = secrets.token_urlsafe(12)
            self._passphrases[actor.id] = passphrase
            self.sim.add_user(SimUser(nik=nik, name=actor.full_name, passphrase=passphrase))
        self._calls += 1
        api = "v1" if self._calls % 2 else "v2"
        config = esign.save_signer_config(
            services,
            SYSTEM,
            esign.SignerConfig(
                user_id=actor.id,
                backend="bsre",
                gateway_url=self.sim.url,
                api_version=api,  # type: ignore[arg-type]
                nik=nik,
            ),
        )
        with services.db.reading() as session:
            roots = esign.trust_roots(session)
        return BsreBackend(
            config,
            esign.Secret(self._passphrases[actor.id]),
            esign.ExpectedSigner.of(actor, nik),
            trust_roots=roots,
        )


def start_simulated_bsre(ca_out: Path | None = None) -> SimulatedBsre:
    """Start a simulator for the rest of this process and return the demo's signing factory.

    The simulator serves on a daemon thread and is shut down when the process exits (the
    demo's hook has no end-of-run call); ``ca_out`` receives its CA certificate (PEM), the
    root to add in Pengaturan of another database that should trust these demo signatures.
    """
    sim = BsreSimulator([]).start()
    atexit.register(sim.stop)
    if ca_out is not None:
        ca_out.write_bytes(sim.ca_pem)
    return SimulatedBsre(sim)
