"""Misbehaving tools, loaded only inside sandbox workers by the sandbox tests."""

import os

from distill.tools.base import REGISTRY, ToolSpec


def loop_forever() -> int:
    while True:
        pass


def allocate_gb(gb: int) -> int:
    return len(bytearray(gb * (1 << 30)))


def kill_worker() -> int:
    os._exit(3)


def open_socket() -> str:
    import socket

    socket.create_connection(("127.0.0.1", 9))
    return "connected"


def echo(value: int) -> int:
    return value


for fn in (loop_forever, allocate_gb, kill_worker, open_socket, echo):
    REGISTRY.tools[fn.__name__] = ToolSpec(fn.__name__, "test", fn, ())
