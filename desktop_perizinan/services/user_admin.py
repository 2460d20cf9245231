"""User administration: what the administrator does on the Pengguna tab.

Each use case is admin-only, runs in one transaction and leaves one audit entry. The check is
made twice: on the actor (the roles the user logged in with) and on the actor's own row in the
database, inside the transaction, so that an administrator who was disabled or lost the role on
another PC cannot go on administering from a window opened before.

Two guards keep an office from locking itself out: there is always at least one active
administrator (disabling or demoting the last one is refused, with the admin rows locked so two
administrators doing it to each other at once cannot both succeed), and an administrator cannot
disable or demote their own account.

A reset password is a temporary one: the user must change it right after logging in
(``User.must_change_password``; the shell asks :meth:`UserAdminService.must_change_password`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import User, UserRole
from desktop_perizinan.errors import NotFound, PermissionDenied, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM, Actor
from desktop_perizinan.services.passwords import hash_password, password_problem
from desktop_perizinan.workflow.definition import APPLICANT_ROLE, Role
from desktop_perizinan.workflow.validators import has_control_characters

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Letters and digits that cannot be mistaken for one another when read out or handwritten.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMP_LENGTH = 10

#: The lengths of the ``app_user`` columns (a longer text is refused with a message, not by
#: the database with an error).
MAX_LENGTHS = {"username": 60, "full_name": 200, "nip": 30, "rank": 80, "title": 200}

LAST_ADMIN = (
    "Harus tersisa sedikitnya satu administrator aktif; tambahkan atau aktifkan administrator "
    "lain terlebih dahulu."
)


@dataclass(frozen=True)
class UserAccount:
    """A user as the administrator sees them (more than an :class:`Actor` carries)."""

    id: int
    username: str
    full_name: str
    roles: frozenset[str]
    nip: str
    rank: str
    title: str
    active: bool
    locked_until: datetime | None  # only set while the lock still holds
    failed_logins: int
    must_change_password: bool
    created_at: datetime

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


def generate_temporary_password() -> str:
    """Ten easy-to-read characters with letters and digits (passes ``password_problem``)."""
    while True:
        candidate = "".join(secrets.choice(TEMP_ALPHABET) for _ in range(TEMP_LENGTH))
        if password_problem(candidate) is None:
            return candidate


class UserAdminService:
    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ reading

    def assignable_roles(self) -> list[Role]:
        """The office's roles a user may hold (the applicant does not use the app)."""
        roles = [r for r in self._s.office.roles.values() if r.code != APPLICANT_ROLE]
        if ADMIN_ROLE not in self._s.office.roles:
            roles.append(Role(ADMIN_ROLE, "Administrator"))
        return roles

    def list_accounts(self, actor: Actor) -> list[UserAccount]:
        actor.require(ADMIN_ROLE, what="melihat daftar pengguna")
        now = self._s.now()
        with self._s.db.reading() as session:
            users = session.scalars(select(User).order_by(User.username))
            return [self._account(u, now) for u in users]

    def account(self, actor: Actor, user_id: int) -> UserAccount:
        actor.require(ADMIN_ROLE, what="melihat data pengguna")
        with self._s.db.reading() as session:
            return self._account(self._user(session, user_id), self._s.now())

    def must_change_password(self, user_id: int) -> bool:
        """True when this user logs in with a temporary password and must replace it first.

        Any user may ask this about themselves; it reveals nothing else.
        """
        with self._s.db.reading() as session:
            user = session.get(User, user_id)
            return bool(user is not None and user.must_change_password)

    # ------------------------------------------------------------------ use cases

    def disable(self, actor: Actor, user_id: int) -> UserAccount:
        """The user can no longer log in; their history (steps, paraf, audit) stays."""
        return self.set_active(actor, user_id, False)

    def enable(self, actor: Actor, user_id: int) -> UserAccount:
        return self.set_active(actor, user_id, True)

    def set_active(self, actor: Actor, user_id: int, active: bool) -> UserAccount:
        what = "mengaktifkan pengguna" if active else "menonaktifkan pengguna"
        with self._admin_transaction(actor, what) as (session, now):
            user = self._user(session, user_id)
            if not active:
                if user.id == actor.id:
                    raise ValidationError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
                if ADMIN_ROLE in user.role_codes and user.active:
                    self._keep_an_admin(session, user.id)
            if user.active != active:
                user.active = active
                audit.append(
                    session,
                    actor,
                    "pengguna.aktifkan" if active else "pengguna.nonaktifkan",
                    at=now,
                    username=user.username,
                )
            return self._account(user, now)

    def reset_password(self, actor: Actor, user_id: int, new_password: str | None = None) -> str:
        """Give the user a temporary password (generated unless given) and return it.

        The account is unlocked too (a user locked out by forgetting is the usual reason for a
        reset), and the user must choose their own password at the next login.
        """
        if new_password is None:
            new_password = generate_temporary_password()
        problem = password_problem(new_password)
        if problem:
            raise ValidationError(problem, "password")
        with self._admin_transaction(actor, "mengatur ulang kata sandi") as (session, now):
            user = self._user(session, user_id)
            user.password_hash = hash_password(new_password)
            user.must_change_password = True
            user.failed_logins = 0
            user.locked_until = None
            audit.append(
                session, actor, "pengguna.atur_ulang_sandi", at=now, username=user.username
            )
        return new_password

    def unlock(self, actor: Actor, user_id: int) -> UserAccount:
        """Lift the lock after repeated wrong passwords, before its fifteen minutes are up."""
        with self._admin_transaction(actor, "membuka kunci akun") as (session, now):
            user = self._user(session, user_id)
            was_locked = user.locked_until is not None and user.locked_until > now
            user.locked_until = None
            user.failed_logins = 0
            if was_locked:
                audit.append(session, actor, "pengguna.buka_kunci", at=now, username=user.username)
            return self._account(user, now)

    def set_roles(self, actor: Actor, user_id: int, roles: Iterable[str]) -> UserAccount:
        return self.update_user(actor, user_id, roles=roles)

    def update_user(
        self,
        actor: Actor,
        user_id: int,
        *,
        full_name: str | None = None,
        nip: str | None = None,
        rank: str | None = None,
        title: str | None = None,
        roles: Iterable[str] | None = None,
    ) -> UserAccount:
        """Change a user's name, NIP, rank, title and/or roles (None leaves a value as is).

        The name, rank and NIP are printed under signatures and in the paraf box, so they are
        the administrator's to keep right. The roles take effect at the user's next login.
        """
        wanted = None if roles is None else frozenset(roles)
        if wanted is not None:
            self._check_roles(wanted)
        if full_name is not None and not full_name.strip():
            raise ValidationError("Nama lengkap wajib diisi.", "full_name")
        for name, value in (("full_name", full_name), ("rank", rank), ("title", title)):
            limit = MAX_LENGTHS[name]
            if value is not None and len(" ".join(value.split())) > limit:
                raise ValidationError(f"Paling banyak {limit} karakter.", name)
            # Printed under signatures and in the paraf box: an invisible control character
            # from a broken paste would print as a box, and PostgreSQL refuses a NUL outright.
            if value is not None and has_control_characters(" ".join(value.split())):
                raise ValidationError("Berisi karakter yang tidak dapat dicetak.", name)
        if nip is not None:
            nip = check_nip(nip)
        with self._admin_transaction(actor, "mengubah data pengguna") as (session, now):
            user = self._user(session, user_id)
            changes: dict[str, object] = {}
            for name, value in (
                ("full_name", None if full_name is None else " ".join(full_name.split())),
                ("nip", nip),
                ("rank", None if rank is None else rank.strip()),
                ("title", None if title is None else " ".join(title.split())),
            ):
                if value is not None and getattr(user, name) != value:
                    setattr(user, name, value)
                    changes[name] = value
            if changes:
                audit.append(
                    session, actor, "pengguna.ubah_data", at=now, username=user.username, **changes
                )
            before = user.role_codes
            if wanted is not None and wanted != before:
                if ADMIN_ROLE in before and ADMIN_ROLE not in wanted:
                    if user.id == actor.id:
                        raise ValidationError(
                            "Anda tidak dapat mencabut peran administrator dari akun Anda "
                            "sendiri; minta administrator lain melakukannya.",
                            "roles",
                        )
                    if user.active:
                        self._keep_an_admin(session, user.id)
                user.roles = [r for r in user.roles if r.role in wanted] + [
                    UserRole(role=code) for code in sorted(wanted - before)
                ]
                session.flush()
                audit.append(
                    session,
                    actor,
                    "pengguna.ubah_peran",
                    at=now,
                    username=user.username,
                    before=sorted(before),
                    after=sorted(wanted),
                )
            return self._account(user, now)

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def _admin_transaction(self, actor: Actor, what: str) -> Iterator[tuple[Session, datetime]]:
        """One transaction in which the actor is re-checked as an active administrator."""
        actor.require(ADMIN_ROLE, what=what)
        with self._s.db.transaction() as session:
            if actor is not SYSTEM:
                row = session.get(User, actor.id)
                if row is None or not row.active or ADMIN_ROLE not in row.role_codes:
                    raise PermissionDenied(
                        f"Anda tidak berwenang untuk {what}: akun Anda bukan lagi "
                        "administrator aktif. Masuk ulang untuk memuat peran terbaru."
                    )
            yield session, self._s.now()

    def _check_roles(self, roles: frozenset[str]) -> None:
        if not roles:
            raise ValidationError("Pilih sedikitnya satu peran.", "roles")
        known = {r.code for r in self.assignable_roles()}
        unknown = roles - known
        if unknown:
            raise ValidationError(f"Peran tidak dikenal: {', '.join(sorted(unknown))}.", "roles")

    @staticmethod
    def _user(session: Session, user_id: int) -> User:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Pengguna tidak ditemukan; mungkin sudah dihapus dari basis data.")
        return user

    @staticmethod
    def _keep_an_admin(session: Session, leaving_id: int) -> None:
        """Refuse if no other active administrator would remain (rows locked meanwhile)."""
        others = session.scalars(
            select(User.id)
            .join(UserRole)
            .where(UserRole.role == ADMIN_ROLE, User.active.is_(True), User.id != leaving_id)
            .with_for_update()
        ).all()
        if not others:
            raise ValidationError(LAST_ADMIN)

    @staticmethod
    def _account(user: User, now: datetime) -> UserAccount:
        locked = user.locked_until if user.locked_until and user.locked_until > now else None
        return UserAccount(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            roles=user.role_codes,
            nip=user.nip,
            rank=user.rank,
            title=user.title,
            active=user.active,
            locked_until=locked,
            failed_logins=user.failed_logins,
            must_change_password=user.must_change_password,
            created_at=user.created_at,
        )


def check_nip(nip: str) -> str:
    """A NIP is 18 digits (spaces as printed on letters are kept); empty is allowed."""
    text = " ".join(nip.split())
    digits = text.replace(" ", "")
    if digits and (not digits.isdigit() or len(digits) != 18):
        raise ValidationError("NIP terdiri atas 18 angka, misalnya 19651115 198602 1 002.", "nip")
    return text
