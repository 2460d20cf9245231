"""Users and roles: log in, lockout after repeated failures, administration."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from desktop_perizinan.db.models import User, UserRole
from desktop_perizinan.errors import NotFound, PermissionDenied, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM, Actor
from desktop_perizinan.services.passwords import check_password, hash_password, password_problem
from desktop_perizinan.workflow.validators import has_control_characters

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

MAX_FAILURES = 5
LOCK_MINUTES = 15


def actor_of(user: User) -> Actor:
    return Actor(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=user.role_codes,
        nip=user.nip,
        rank=user.rank,
        title=user.title,
    )


class UserService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def any_user(self) -> bool:
        with self._s.db.reading() as session:
            return bool(session.scalar(select(func.count()).select_from(User)))

    def create(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        password: str,
        roles: set[str] | frozenset[str],
        nip: str = "",
        rank: str = "",
        title: str = "",
    ) -> Actor:
        """Add a user. The very first user may be created by the system (first run)."""
        if actor is not SYSTEM:
            actor.require(ADMIN_ROLE, what="menambah pengguna")
        username = username.strip().lower()
        if not username or not username.replace(".", "").replace("_", "").isalnum():
            raise ValidationError(
                "Nama pengguna hanya boleh huruf, angka, titik dan garis bawah.", "username"
            )
        if not full_name.strip():
            raise ValidationError("Nama lengkap wajib diisi.", "full_name")
        from desktop_perizinan.services.user_admin import MAX_LENGTHS, check_nip

        for name, value in (
            ("username", username),
            ("full_name", full_name),
            ("rank", rank),
            ("title", title),
        ):
            if len(" ".join(value.split())) > MAX_LENGTHS[name]:
                raise ValidationError(f"Paling banyak {MAX_LENGTHS[name]} karakter.", name)
            # Printed on letters and paraf sheets; PostgreSQL refuses a NUL with a raw error.
            if has_control_characters(" ".join(value.split())):
                raise ValidationError("Berisi karakter yang tidak dapat dicetak.", name)
        nip = check_nip(nip)
        problem = password_problem(password)
        if problem:
            raise ValidationError(problem, "password")
        unknown = set(roles) - set(self._s.forms.office.roles) - {ADMIN_ROLE}
        if unknown:
            raise ValidationError(f"Peran tidak dikenal: {', '.join(sorted(unknown))}.", "roles")
        now = self._s.now()
        with self._s.db.transaction() as session:
            exists = session.scalar(select(User.id).where(User.username == username))
            if exists:
                raise ValidationError(f"Nama pengguna '{username}' sudah dipakai.", "username")
            user = User(
                username=username,
                full_name=" ".join(full_name.split()),
                password_hash=hash_password(password),
                nip=nip,
                rank=rank,
                title=title,
                created_at=now,
                roles=[UserRole(role=r) for r in sorted(roles)],
            )
            session.add(user)
            session.flush()
            audit.append(
                session, actor, "pengguna.tambah", at=now, username=username, roles=sorted(roles)
            )
            return actor_of(user)

    def login(self, username: str, password: str) -> Actor:
        """Check the password; five failures lock the account for fifteen minutes."""
        now = self._s.now()
        wrong = PermissionDenied("Nama pengguna atau kata sandi salah.")
        with self._s.db.transaction() as session:
            user = session.scalars(
                select(User).where(User.username == username.strip().lower())
            ).first()
            if user is None:
                raise wrong
            if not user.active:
                raise PermissionDenied("Akun ini dinonaktifkan. Hubungi administrator.")
            if user.locked_until and user.locked_until > now:
                raise PermissionDenied(
                    f"Akun terkunci karena salah kata sandi berulang kali; coba lagi setelah "
                    f"pukul {user.locked_until:%H:%M}."
                )
            if not check_password(password, user.password_hash):
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILURES:
                    user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                    audit.append(session, actor_of(user), "pengguna.terkunci", at=now)
                failure = wrong
            else:
                user.failed_logins = 0
                user.locked_until = None
                audit.append(session, actor_of(user), "pengguna.masuk", at=now)
                return actor_of(user)
        raise failure

    def change_password(self, actor: Actor, old: str, new: str) -> None:
        problem = password_problem(new)
        if problem:
            raise ValidationError(problem, "password")
        with self._s.db.transaction() as session:
            user = session.get(User, actor.id)
            if user is None:
                raise NotFound("Pengguna tidak ditemukan.")
            if not check_password(old, user.password_hash):
                raise ValidationError("Kata sandi lama salah.", "old_password")
            user.password_hash = hash_password(new)
            user.must_change_password = False
            audit.append(session, actor, "pengguna.ganti_sandi", at=self._s.now())

    def list_users(self) -> list[Actor]:
        with self._s.db.reading() as session:
            return [actor_of(u) for u in session.scalars(select(User).order_by(User.username))]

    def user_names(self, role: str) -> list[Actor]:
        """Active users holding a role (e.g. to choose whom to dispose to)."""
        with self._s.db.reading() as session:
            users = session.scalars(
                select(User)
                .join(UserRole)
                .where(UserRole.role == role, User.active.is_(True))
                .order_by(User.full_name)
            )
            return [actor_of(u) for u in users]
