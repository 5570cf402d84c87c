"""A small round-robin TCP reverse proxy for the scale-out benchmark (bench/scaleout.py).

    python -m bench.proxy --listen 127.0.0.1:8000 --backend 127.0.0.1:8001 \
        --backend 127.0.0.1:8002

Each accepted connection is forwarded, bytes both ways, to the next backend in turn; the
HTTP requests on a keep-alive connection all go where the connection went, as with
nginx's or HAProxy's TCP mode. A backend that refuses the connection (or does not accept
it within ``--connect-timeout``) is skipped for this connection and left out of the
rotation for ``--cooldown`` seconds (a passive health check); when every backend fails,
the client's connection is closed without an answer.

It stands in for the load balancer of a real deployment (docs/deployment.md): small, with
no package to install, so the benchmark and its test run anywhere the app does. It is not
meant for production: no TLS, no ``X-Forwarded-For``, no active health checks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger("bench.proxy")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Backend:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def address_parse(text: str) -> Backend:
    """``host:port`` (the host may be empty for 127.0.0.1)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"not host:port: {text!r}")
    return Backend(host or "127.0.0.1", int(port))


@dataclass
class Rotation:
    """Whose turn it is, and which backends recently failed."""

    backends: Sequence[Backend]
    cooldown: float = 2.0
    clock: Callable[[], float] = time.monotonic
    _next: int = field(default=0, init=False)
    _down_until: dict[Backend, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if not self.backends:
            raise ValueError("at least one backend is needed")

    def candidates(self) -> list[Backend]:
        """Every backend once, starting with the next in turn; those that failed within
        the cooldown come last, so they are tried only when no other one answers."""
        start = self._next
        self._next = (start + 1) % len(self.backends)
        ordered = [*self.backends[start:], *self.backends[:start]]
        now = self.clock()
        healthy = [b for b in ordered if self._down_until.get(b, 0.0) <= now]
        return healthy + [b for b in ordered if b not in healthy]

    def mark_down(self, backend: Backend) -> None:
        self._down_until[backend] = self.clock() + self.cooldown


@dataclass
class Counters:
    """Connections forwarded per backend and connections that found no backend."""

    forwarded: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    unserved: int = 0


class Proxy:
    def __init__(self, rotation: Rotation, *, connect_timeout: float = 2.0):
        self.rotation = rotation
        self.connect_timeout = connect_timeout
        self.counters = Counters()

    async def _connect(
        self,
    ) -> tuple[Backend, asyncio.StreamReader, asyncio.StreamWriter] | None:
        for backend in self.rotation.candidates():
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(backend.host, backend.port), self.connect_timeout
                )
            except (OSError, TimeoutError) as exc:
                self.rotation.mark_down(backend)
                name = str(backend)
                self.counters.refused[name] = self.counters.refused.get(name, 0) + 1
                logger.warning("backend %s failed (%s); skipping it", backend, exc)
                continue
            return backend, reader, writer
        return None

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        connected = await self._connect()
        if connected is None:
            self.counters.unserved += 1
            client_w.close()
            return
        backend, backend_r, backend_w = connected
        name = str(backend)
        self.counters.forwarded[name] = self.counters.forwarded.get(name, 0) + 1
        try:
            await asyncio.gather(_pipe(client_r, backend_w), _pipe(backend_r, client_w))
        finally:
            for writer in (client_w, backend_w):
                writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then half-close. A reset closes the other side, which
    ends the opposite direction too, so a client sees its backend go away."""
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        writer.close()


async def serve(
    listen: Backend, backends: Sequence[Backend], *, cooldown: float = 2.0
) -> tuple[asyncio.Server, Proxy]:
    """Start listening (port 0 picks a free port: see ``server.sockets``)."""
    proxy = Proxy(Rotation(backends, cooldown=cooldown))
    server = await asyncio.start_server(proxy.handle, listen.host, listen.port, backlog=1024)
    return server, proxy


async def _main(listen: Backend, backends: list[Backend], cooldown: float) -> None:
    server, proxy = await serve(listen, backends, cooldown=cooldown)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    bound = server.sockets[0].getsockname()
    print(f"proxy listening on {bound[0]}:{bound[1]} -> {', '.join(map(str, backends))}")
    async with server:
        await stop.wait()
    counters = proxy.counters
    print(f"proxy forwarded {counters.forwarded}; refused {counters.refused}", end="")
    print(f"; unserved {counters.unserved}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=address_parse, default=Backend("127.0.0.1", 8000))
    parser.add_argument("--backend", type=address_parse, action="append", required=True)
    parser.add_argument(
        "--cooldown", type=float, default=2.0, help="seconds a failed backend sits out"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args.listen, args.backend, args.cooldown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
