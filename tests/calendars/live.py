"""The app served by a real uvicorn server on a loopback port, in the test's own event loop
(its database engine lives there), with everything logged captured as it would be printed:
uvicorn's access log in uvicorn's own format, and every other log record."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from uvicorn.logging import AccessFormatter

ACCESS_FORMAT = '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'


@dataclass
class Live:
    base_url: str
    port: int
    access: io.StringIO
    everything: io.StringIO

    async def raw_get(self, target: str, method: str = "GET") -> tuple[int, bytes]:
        """Send ``target`` exactly as given (no client normalises it); (status, body)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    def logged(self) -> str:
        return self.access.getvalue() + self.everything.getvalue()


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[Live]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None))
    access_logger = logging.getLogger("uvicorn.access")
    root = logging.getLogger()
    access, everything = io.StringIO(), io.StringIO()
    access_handler = logging.StreamHandler(access)
    access_handler.setFormatter(AccessFormatter(ACCESS_FORMAT, use_colors=False))
    every_handler = logging.StreamHandler(everything)
    every_handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    saved = (access_logger.level, access_logger.propagate, access_logger.disabled, root.level)
    access_logger.addHandler(access_handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False
    access_logger.disabled = False
    root.addHandler(every_handler)
    root.setLevel(logging.INFO)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield Live(f"http://127.0.0.1:{port}", port, access, everything)
    finally:
        server.should_exit = True
        await task
        listener.close()
        access_logger.removeHandler(access_handler)
        root.removeHandler(every_handler)
        access_logger.level, access_logger.propagate, access_logger.disabled, root.level = saved
