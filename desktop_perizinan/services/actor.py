"""Who is acting: the logged-in user as the services see them."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_perizinan.errors import PermissionDenied

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    full_name: str
    roles: frozenset[str]
    nip: str = ""
    rank: str = ""
    title: str = ""

    def has(self, role: str) -> bool:
        return role in self.roles

    def require(self, *roles: str, what: str) -> None:
        """Refuse unless the actor holds one of ``roles``; ``what`` names the action."""
        if not self.roles.intersection(roles):
            raise PermissionDenied(
                f"Anda tidak berwenang untuk {what}. Peran yang dibutuhkan: {', '.join(roles)}."
            )


#: The actor used by automated jobs (migrations, imports run from the command line).
SYSTEM = Actor(id=0, username="sistem", full_name="Sistem", roles=frozenset({ADMIN_ROLE}))
