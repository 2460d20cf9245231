"""User administration through the services, on SQLite and PostgreSQL: what the admin may do,
what everybody else is refused, what the guards keep (an active administrator always remains),
and what each action leaves in the audit log."""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest
from sqlalchemy import select

from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.errors import NotFound, PermissionDenied, ValidationError
from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM, Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.audit import verify_chain
from desktop_perizinan.services.demo import DEMO_PASSWORD, SteppingClock
from desktop_perizinan.services.passwords import password_problem
from desktop_perizinan.services.user_admin import (
    TEMP_ALPHABET,
    UserAdminService,
    check_nip,
    generate_temporary_password,
)


@pytest.fixture
def admin_service(services: Services) -> UserAdminService:
    return UserAdminService(services)


class Entry(NamedTuple):
    action: str
    username: str
    detail: str


def last_audit(services: Services) -> Entry:
    with services.db.reading() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        return Entry(entry.action, entry.username, entry.detail)


def test_list_accounts_shows_state(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    accounts = {a.username: a for a in admin_service.list_accounts(users["admin"])}
    assert set(accounts) >= {"admin", "loket", "kadis"}
    loket = accounts["loket"]
    assert loket.active and not loket.locked and not loket.must_change_password
    assert loket.roles == {"front_office"}
    assert loket.nip == "199003152015032004"


def test_non_admin_is_refused_everything(
    users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    clerk, target = users["front_office"], users["kadis"].id
    calls = [
        lambda: admin_service.list_accounts(clerk),
        lambda: admin_service.disable(clerk, target),
        lambda: admin_service.enable(clerk, target),
        lambda: admin_service.reset_password(clerk, target),
        lambda: admin_service.unlock(clerk, target),
        lambda: admin_service.set_roles(clerk, target, {"kabid"}),
        lambda: admin_service.update_user(clerk, target, full_name="X"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="tidak berwenang"):
            call()


def test_disable_refuses_login_and_enable_restores(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    admin, loket = users["admin"], users["front_office"]
    account = admin_service.disable(admin, loket.id)
    assert not account.active
    with pytest.raises(PermissionDenied, match="dinonaktifkan"):
        services.users.login("loket", DEMO_PASSWORD)
    entry = last_audit(services)
    assert (entry.action, entry.username) == ("pengguna.nonaktifkan", "admin")
    assert json.loads(entry.detail) == {"username": "loket"}
    # Disabled users drop out of the lists used to choose whom to dispose to.
    assert loket.id not in {a.id for a in services.users.user_names("front_office")}

    assert admin_service.enable(admin, loket.id).active
    assert services.users.login("loket", DEMO_PASSWORD).id == loket.id


def test_reset_password_forces_a_change(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    admin, kabid = users["admin"], users["kabid"]
    temporary = admin_service.reset_password(admin, kabid.id)
    assert password_problem(temporary) is None
    assert set(temporary) <= set(TEMP_ALPHABET)
    with pytest.raises(PermissionDenied):
        services.users.login("kabid", DEMO_PASSWORD)
    actor = services.users.login("kabid", temporary)
    assert admin_service.must_change_password(actor.id)
    entry = last_audit(services)
    assert entry.action == "pengguna.masuk"
    with services.db.reading() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        details = " ".join(e.detail for e in session.scalars(select(AuditEntry)))
    assert "pengguna.atur_ulang_sandi" in actions
    assert temporary not in details  # the password itself is never logged

    services.users.change_password(actor, temporary, "baru12345")
    assert not admin_service.must_change_password(actor.id)
    assert services.users.login("kabid", "baru12345").id == kabid.id


def test_reset_with_given_password_is_checked(
    users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    with pytest.raises(ValidationError, match="minimal 8"):
        admin_service.reset_password(users["admin"], users["kabid"].id, "abc1")
    assert admin_service.reset_password(users["admin"], users["kabid"].id, "sementara9") == (
        "sementara9"
    )


def test_unlock_after_lockout(
    services: Services,
    users: dict[str, Actor],
    admin_service: UserAdminService,
    clock: SteppingClock,
) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            services.users.login("umum", "salah-salah-1")
    with pytest.raises(PermissionDenied, match="terkunci"):
        services.users.login("umum", DEMO_PASSWORD)
    account = admin_service.account(users["admin"], users["ksb_umum"].id)
    assert account.locked and account.locked_until is not None

    account = admin_service.unlock(users["admin"], users["ksb_umum"].id)
    assert not account.locked and account.failed_logins == 0
    assert last_audit(services).action == "pengguna.buka_kunci"
    assert services.users.login("umum", DEMO_PASSWORD).username == "umum"


def test_lock_expires_on_its_own(
    services: Services,
    users: dict[str, Actor],
    admin_service: UserAdminService,
    clock: SteppingClock,
) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            services.users.login("umum", "salah-salah-1")
    clock.advance(16)
    assert not admin_service.account(users["admin"], users["ksb_umum"].id).locked


def test_roles_edited_take_effect_at_next_login(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    admin, seksi = users["admin"], users["backoffice"]
    account = admin_service.set_roles(admin, seksi.id, {"backoffice", "tim_teknis"})
    assert account.roles == {"backoffice", "tim_teknis"}
    entry = last_audit(services)
    assert entry.action == "pengguna.ubah_peran"
    assert json.loads(entry.detail) == {
        "after": ["backoffice", "tim_teknis"],
        "before": ["backoffice"],
        "username": "seksi",
    }
    assert services.users.login("seksi", DEMO_PASSWORD).roles == {"backoffice", "tim_teknis"}
    account = admin_service.set_roles(admin, seksi.id, ["kabid"])
    assert account.roles == {"kabid"}
    assert {a.id for a in services.users.user_names("kabid")} >= {seksi.id}


def test_roles_must_be_known_and_not_empty(
    users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    admin, seksi = users["admin"], users["backoffice"].id
    with pytest.raises(ValidationError, match="sedikitnya satu"):
        admin_service.set_roles(admin, seksi, set())
    with pytest.raises(ValidationError, match="tidak dikenal: raja"):
        admin_service.set_roles(admin, seksi, {"raja"})
    with pytest.raises(ValidationError, match="tidak dikenal: pemohon"):
        admin_service.set_roles(admin, seksi, {"pemohon"})
    assert "pemohon" not in {r.code for r in admin_service.assignable_roles()}
    assert ADMIN_ROLE in {r.code for r in admin_service.assignable_roles()}


def test_update_details(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    account = admin_service.update_user(
        users["admin"],
        users["kadis"].id,
        full_name="  Drs.  Marisi   Sianturi ",
        nip="19651115 198602 1 002",
        rank="Pembina Utama Madya (IV/d)",
    )
    assert account.full_name == "Drs. Marisi Sianturi"
    assert account.nip == "19651115 198602 1 002"
    assert account.title == "Kepala Dinas"  # untouched
    assert last_audit(services).action == "pengguna.ubah_data"
    with pytest.raises(ValidationError, match="18 angka"):
        admin_service.update_user(users["admin"], users["kadis"].id, nip="1234")
    with pytest.raises(ValidationError, match="wajib"):
        admin_service.update_user(users["admin"], users["kadis"].id, full_name="  ")
    with pytest.raises(ValidationError, match="Paling banyak 200") as caught:
        admin_service.update_user(users["admin"], users["kadis"].id, title="x" * 201)
    assert caught.value.field == "title"


@pytest.mark.parametrize("field", ["full_name", "rank", "title"])
@pytest.mark.parametrize("bad", ["Marisi\x00Sianturi", "Marisi\x1bSianturi", "Marisi\x9bSianturi"])
def test_update_refuses_control_characters(
    services: Services,
    users: dict[str, Actor],
    admin_service: UserAdminService,
    field: str,
    bad: str,
) -> None:
    """Printed under signatures: a control character from a broken paste is refused with a
    message, and nothing of the user changes."""
    before = admin_service.account(users["admin"], users["kadis"].id)
    with pytest.raises(ValidationError, match="tidak dapat dicetak") as caught:
        admin_service.update_user(users["admin"], users["kadis"].id, **{field: bad})
    assert caught.value.field == field
    assert admin_service.account(users["admin"], users["kadis"].id) == before


def test_an_active_admin_always_remains(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    admin = users["admin"]
    with pytest.raises(ValidationError, match="sendiri"):
        admin_service.disable(admin, admin.id)
    with pytest.raises(ValidationError, match="sendiri"):
        admin_service.set_roles(admin, admin.id, {"kadis"})
    # A second administrator: now the first may be demoted by the second, but not both.
    second = services.users.create(
        admin,
        username="admin2",
        full_name="Admin Dua",
        password="kunci1234",
        roles={ADMIN_ROLE},
    )
    admin_service.set_roles(second, admin.id, {"kadis"})
    with pytest.raises(ValidationError, match="sedikitnya satu administrator aktif"):
        admin_service.disable(SYSTEM, second.id)
    with pytest.raises(ValidationError, match="sedikitnya satu administrator aktif"):
        admin_service.set_roles(SYSTEM, second.id, {"kabid"})


def test_a_demoted_admin_cannot_go_on_administering(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    """The actor still carries the admin role from its login; the database says otherwise."""
    admin = users["admin"]
    second = services.users.create(
        admin, username="admin2", full_name="Admin Dua", password="kunci1234", roles={ADMIN_ROLE}
    )
    admin_service.disable(admin, second.id)
    with pytest.raises(PermissionDenied, match="bukan lagi administrator aktif"):
        admin_service.unlock(second, users["kadis"].id)


def test_unknown_user(users: dict[str, Actor], admin_service: UserAdminService) -> None:
    with pytest.raises(NotFound):
        admin_service.disable(users["admin"], 99999)


def test_every_admin_action_keeps_the_chain(
    services: Services, users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    admin, target = users["admin"], users["tim_teknis"].id
    admin_service.disable(admin, target)
    admin_service.enable(admin, target)
    admin_service.reset_password(admin, target)
    admin_service.set_roles(admin, target, {"tim_teknis", "backoffice"})
    with services.db.reading() as session:
        assert verify_chain(session).ok


def test_must_change_password_for_anyone(
    users: dict[str, Actor], admin_service: UserAdminService
) -> None:
    assert admin_service.must_change_password(users["front_office"].id) is False
    assert admin_service.must_change_password(424242) is False


def test_helpers() -> None:
    assert len(generate_temporary_password()) == 10
    assert check_nip(" 19651115  198602 1 002 ") == "19651115 198602 1 002"
    assert check_nip("") == ""
    with pytest.raises(ValidationError):
        check_nip("19651115 198602 1 00X")
