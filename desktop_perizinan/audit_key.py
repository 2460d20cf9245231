"""The office's audit key on this PC: what makes an audit entry impossible to forge from the
database alone.

Every audit entry carries an HMAC-SHA256 of its hash, made with a key that is **not** in the
database. Whoever holds only the database (the SQLite file on the counter PC, a backup, the
PostgreSQL password, the server) can change rows and even recompute the whole hash chain, but
cannot make the HMACs match; ``perizinan audit verify`` then names the first forged entry.

Where the key lives
    A small JSON file beside this PC's database choice, in
    ``platformdirs.user_config_dir("perizinan", "DPMPTSP")`` (``PERIZINAN_AUDIT_KEYS`` names
    another file), owner-only on POSIX; a Windows profile folder is private already. The file
    holds one or more secrets (a *keyring*): the current one signs new entries, older ones (a
    key replaced, a PC's key merged in) still verify the entries they signed. Each entry stores
    only the key's **id** (a hash of the secret), never the secret.

One PC (SQLite)
    The first entry creates the key. Keep the exported key file (``perizinan audit kunci
    ekspor``) on the administrator's USB stick with the backups: a replaced PC imports it and
    the old entries verify again.

LAN (PostgreSQL)
    Every PC must sign with the same office key, so the PCs can verify each other's entries.
    The first PC creates it; the others import the exported file (``perizinan audit kunci
    impor``) when they are set up. A PC that signed with a key of its own is not lost: import
    its key into the others (a keyring holds several).

What the key does not protect against
    The person who can read this PC's configuration as the Windows user running the app can
    also read the key. The anchors outside the database (backup manifests, the daily closing,
    the footer of printed books) are the answer to that person.

The secret is never written to the database, a log, an audit detail or a traceback: it is kept
in :class:`Keyring`, whose ``repr`` shows only the key ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_perizinan.errors import UserError

ENV_KEY_FILE = "PERIZINAN_AUDIT_KEYS"
KEY_FILE = "audit-keys.json"
FORMAT = "perizinan-audit-keys"
FORMAT_VERSION = 1
SECRET_BYTES = 32
#: Domain separation: the MAC key is derived from the secret, never the secret itself.
_DERIVE = b"perizinan audit hmac v2"


class AuditKeyError(UserError):
    """The key file of this PC cannot be read, written or imported."""


def key_id_of(secret: bytes) -> str:
    """The public name of a secret: 16 hex digits of a hash (it reveals nothing of it)."""
    return hashlib.sha256(b"perizinan audit key id|" + secret).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The audit secrets of this PC; ``current`` signs, every one verifies."""

    current: str
    _keys: dict[str, bytes] = field(repr=False)

    def __repr__(self) -> str:  # never the secrets
        return f"Keyring(current={self.current!r}, ids={sorted(self._keys)!r})"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def has(self, key_id: str | None) -> bool:
        return key_id is not None and key_id in self._keys

    def mac(self, key_id: str, message: str) -> str | None:
        """HMAC-SHA256 of ``message`` with the key ``key_id``, or None when not held."""
        secret = self._keys.get(key_id)
        if secret is None:
            return None
        derived = hmac.new(secret, _DERIVE, hashlib.sha256).digest()
        return hmac.new(derived, message.encode(), hashlib.sha256).hexdigest()

    def merged(self, other: Keyring) -> Keyring:
        """This keyring plus the keys of ``other``; the current key stays."""
        return Keyring(self.current, {**other._keys, **self._keys})

    @classmethod
    def generate(cls) -> Keyring:
        secret = secrets.token_bytes(SECRET_BYTES)
        key_id = key_id_of(secret)
        return cls(key_id, {key_id: secret})

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "current": self.current,
            "keys": {kid: secret.hex() for kid, secret in sorted(self._keys.items())},
        }

    @classmethod
    def from_json(cls, data: Any, where: Path) -> Keyring:
        def broken(why: str) -> AuditKeyError:
            return AuditKeyError(f"Berkas kunci audit {where} tidak dapat dipakai: {why}.")

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise broken("bukan berkas kunci audit Perizinan")
        if not isinstance(data.get("version"), int) or data["version"] > FORMAT_VERSION:
            raise broken("dibuat oleh versi aplikasi yang lebih baru")
        raw = data.get("keys")
        if not isinstance(raw, dict) or not raw:
            raise broken("tidak berisi kunci")
        keys: dict[str, bytes] = {}
        for kid, text in raw.items():
            try:
                secret = bytes.fromhex(str(text))
            except ValueError:
                raise broken(f"kunci {kid} bukan heksadesimal") from None
            if len(secret) < 16 or key_id_of(secret) != kid:
                raise broken(f"kunci {kid} rusak (tidak cocok dengan namanya)")
            keys[kid] = secret
        current = data.get("current")
        if current not in keys:
            raise broken("kunci yang sedang dipakai tidak ada di dalamnya")
        return cls(str(current), keys)


#: What ``platformdirs`` derives the configuration folder from; the folder is worked out
#: again only when one of these changes.
_DIR_ENV = ("HOME", "XDG_CONFIG_HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE")
_default_path: tuple[tuple[str | None, ...], Path] | None = None


def key_path() -> Path:
    """This PC's key file: ``PERIZINAN_AUDIT_KEYS``, else the user configuration folder.

    The folder is remembered per process (issue 14: ``platformdirs`` took 0.3 ms for each
    audit entry); only the path is kept, never the key.
    """
    global _default_path
    override = os.environ.get(ENV_KEY_FILE)
    if override:
        return Path(override)
    env = tuple(os.environ.get(name) for name in _DIR_ENV)
    if _default_path is None or _default_path[0] != env:
        from desktop_perizinan.local_config import config_dir

        _default_path = (env, config_dir() / KEY_FILE)
    return _default_path[1]


def read_keyring(path: Path) -> Keyring | None:
    """The keyring in ``path``; None when there is no file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(
            f"Berkas kunci audit {path} tidak dapat dibaca: {exc.strerror or exc}."
        ) from None
    try:
        data = json.loads(raw)
    except ValueError:
        raise AuditKeyError(f"Berkas kunci audit {path} rusak (bukan JSON).") from None
    return Keyring.from_json(data, path)


def write_keyring(keyring: Keyring, path: Path) -> Path:
    """Atomically, owner-only on POSIX (a temporary file, fsync, rename)."""
    text = json.dumps(keyring.to_json(), indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            if os.name == "posix":
                os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(tmp, path)
        finally:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise AuditKeyError(
            f"Kunci audit tidak dapat disimpan di {path.parent}: {exc.strerror or exc}."
        ) from None
    return path


_cache: dict[Path, tuple[float, Keyring]] = {}


def load(path: Path | None = None) -> Keyring | None:
    """This PC's keyring (cached until the file changes), or None when it has none."""
    path = path or key_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        _cache.pop(path, None)
        return None
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    keyring = read_keyring(path)
    if keyring is not None:
        _cache[path] = (stamp, keyring)
    return keyring


def load_or_create(path: Path | None = None) -> Keyring:
    """The keyring that signs this PC's entries; created (and saved) on first use."""
    path = path or key_path()
    keyring = load(path)
    if keyring is None:
        keyring = Keyring.generate()
        write_keyring(keyring, path)
        _cache.pop(path, None)
    return keyring


def export_to(target: Path, path: Path | None = None) -> Keyring:
    """Copy this PC's keyring to ``target`` (for the administrator's safekeeping)."""
    keyring = load_or_create(path)
    if target.exists():
        raise AuditKeyError(f"Berkas {target} sudah ada; pilih nama lain agar tidak tertimpa.")
    write_keyring(keyring, target)
    return keyring


def import_from(source: Path, path: Path | None = None) -> Keyring:
    """Merge the keys of ``source`` into this PC's keyring; its current key signs from now on
    (the office key of a LAN, or the key of the PC this one replaces)."""
    path = path or key_path()
    incoming = read_keyring(source)
    if incoming is None:
        raise AuditKeyError(f"Berkas kunci audit {source} tidak ditemukan.")
    existing = load(path)
    keyring = incoming if existing is None else incoming.merged(existing)
    write_keyring(keyring, path)
    _cache.pop(path, None)
    return keyring
