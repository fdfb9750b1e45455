"""A lean HTTP/1.1 keep-alive client for the benchmarks: one connection, one request at a time.

A general client (httpx) spends several hundred microseconds of CPU per request building and
parsing messages. On a 2-core machine shared with the service and FalkorDB that is a large part
of what is measured, so the benches send pre-encoded POSTs and read the answer by its
Content-Length (or chunks) themselves. Loopback only; the server is ours.

    async with Connection("127.0.0.1", 8000, {"Authorization": "Bearer …"}) as http:
        status, payload = await http.post_json("/graphql", {"query": "{ __typename }"})
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from types import TracebackType
from typing import Any


class HTTPError(Exception):
    """The connection broke or the answer was not HTTP/1.1 as expected."""


class Connection:
    def __init__(
        self, host: str, port: int, headers: dict[str, str] | None = None, timeout: float = 60.0
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        fixed = {"Host": f"{host}:{port}", "Content-Type": "application/json", **(headers or {})}
        self.head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items()).encode("latin-1")
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """Send one POST and return (status, body); reconnects once if the server had closed."""
        if self.writer is None:
            await self.connect()
        try:
            return await asyncio.wait_for(self._exchange(path, body), self.timeout)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            await self.close()
            raise HTTPError(f"{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            await self.close()
            raise HTTPError(f"no answer within {self.timeout} s") from exc

    async def post_json(self, path: str, document: Any) -> tuple[int, Any]:
        status, data = await self.post(path, json.dumps(document).encode())
        try:
            return status, json.loads(data)
        except ValueError as exc:
            raise HTTPError(f"HTTP {status}: not JSON: {data[:200]!r}") from exc

    async def _exchange(self, path: str, body: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.head, len(body), body)
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise HTTPError(f"not an HTTP/1.1 status line: {lines[0][:100]!r}")
        status = int(parts[1])
        length, chunked, closing = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                closing = True
        if chunked:
            data = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
            payload = bytes(data)
        elif length is not None:
            payload = await self.reader.readexactly(length)
        else:  # no length: the body runs to the end of the connection
            payload = await self.reader.read()
            closing = True
        if closing:
            await self.close()
        return status, payload
