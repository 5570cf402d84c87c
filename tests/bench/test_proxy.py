"""The scale-out benchmark's proxy (bench/proxy.py): round robin over its backends, a
backend that refuses connections skipped, on loopback with tiny backends that answer
their own name."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any, TypeVar

from bench.proxy import Backend, Counters, Rotation, address_parse, serve

LOOPBACK = "127.0.0.1"
TIMEOUT = 10
T = TypeVar("T")


def run(scenario: Coroutine[Any, Any, T]) -> T:
    """Run ``scenario`` on a new event loop, failing instead of hanging."""
    return asyncio.run(asyncio.wait_for(scenario, TIMEOUT))


async def named_backend(name: str) -> tuple[asyncio.Server, Backend]:
    """Answers every connection with ``name`` and the first line it was sent."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = await reader.readline()
        writer.write(name.encode() + b" " + line)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, LOOPBACK, 0)
    return server, Backend(LOOPBACK, server.sockets[0].getsockname()[1])


def refusing_backend() -> Backend:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return Backend(LOOPBACK, probe.getsockname()[1])


async def ask(proxy_port: int, line: bytes = b"ping\n") -> bytes:
    reader, writer = await asyncio.open_connection(LOOPBACK, proxy_port)
    writer.write(line)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


async def through_proxy(backends: list[Backend], count: int) -> tuple[list[bytes], Counters]:
    server, proxy = await serve(Backend(LOOPBACK, 0), backends, cooldown=60)
    port = server.sockets[0].getsockname()[1]
    async with server:
        answers = [await ask(port, f"request {n}\n".encode()) for n in range(count)]
    return answers, proxy.counters


def test_connections_go_to_the_backends_in_turn_and_bytes_pass_both_ways():
    async def scenario() -> tuple[list[bytes], Counters, list[Backend]]:
        a_server, a = await named_backend("A")
        b_server, b = await named_backend("B")
        async with a_server, b_server:
            return (*await through_proxy([a, b], 4), [a, b])

    answers, counters, (a, b) = run(scenario())
    assert answers == [b"A request 0\n", b"B request 1\n", b"A request 2\n", b"B request 3\n"]
    assert counters.forwarded == {str(a): 2, str(b): 2}


def test_a_backend_that_refuses_is_skipped_and_sits_out_its_cooldown():
    dead = refusing_backend()

    async def scenario() -> tuple[list[bytes], Counters]:
        a_server, a = await named_backend("A")
        async with a_server:
            return await through_proxy([a, dead], 4)

    answers, counters = run(scenario())
    assert answers == [f"A request {n}\n".encode() for n in range(4)]
    # Tried once, then left out for the cooldown (60 s here).
    assert counters.refused == {str(dead): 1}


def test_without_any_backend_the_client_is_closed_without_an_answer():
    answers, counters = run(through_proxy([refusing_backend()], 2))
    assert answers == [b"", b""]
    assert counters.unserved == 2


def test_a_failed_backend_rejoins_after_the_cooldown():
    now = [0.0]
    a, b = Backend(LOOPBACK, 1), Backend(LOOPBACK, 2)
    rotation = Rotation([a, b], cooldown=5, clock=lambda: now[0])
    assert rotation.candidates() == [a, b]
    rotation.mark_down(a)
    assert rotation.candidates() == [b, a]
    assert rotation.candidates() == [b, a]
    now[0] = 5.0
    assert rotation.candidates() == [b, a]
    assert rotation.candidates() == [a, b]


def test_addresses_parse():
    assert address_parse("10.0.0.1:8000") == Backend("10.0.0.1", 8000)
    assert address_parse(":9000") == Backend(LOOPBACK, 9000)
