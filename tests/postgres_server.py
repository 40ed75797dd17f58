"""A throwaway PostgreSQL for the tests: Debian's server binaries, a fresh data folder, a unix socket in
that folder and no TCP, run as an unprivileged user (PostgreSQL refuses to run as root), stopped at the
end of the test session. `make test` sets QOF_REQUIRE_POSTGRES=1, so there a missing server fails the
run instead of skipping the Postgres tests."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ThrowawayPostgres", "postgres_bin", "start_postgres"]


def postgres_bin() -> Path | None:
    """The folder of initdb / pg_ctl (Debian keeps them out of PATH), or None when not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


@dataclass
class ThrowawayPostgres:
    folder: Path
    bin: Path
    user: str | None  # the system user the server runs as (None: the current user)

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    @property
    def dsn(self) -> str:
        return f"host={self.socket_dir} port=5432 dbname=postgres user=qof"

    def _as_user(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *args] if self.user else list(args)

    def stop(self) -> None:
        subprocess.run(
            self._as_user(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop"),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> ThrowawayPostgres:
    """initdb + pg_ctl start in a new temporary folder; a superuser role `qof` with trust on the socket."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb) not found: apt-get install postgresql")
    user = None
    if os.geteuid() == 0:
        user = "postgres" if _has_user("postgres") else "nobody"
    folder = Path(tempfile.mkdtemp(prefix="qof-pg-"))
    (folder / "socket").mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (folder, folder / "socket"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    server = ThrowawayPostgres(folder, bin_dir, user)
    data = folder / "data"
    subprocess.run(
        server._as_user(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "qof",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses='' -c unix_socket_directories={folder / 'socket'} -c fsync=off"
    subprocess.run(
        server._as_user(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
        ),
        check=True,
        capture_output=True,
    )
    return server


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
