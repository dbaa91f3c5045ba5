"""A bounded load generator: run in its own process, prints one JSON line of figures.

    python -m bench.load URL [URL ...] --concurrency 8 --requests 4000 --seconds 8 \\
        [--warmup 2] [--header 'Authorization: Bearer ...'] [--method POST --data 'a=b']

A plain HTTP/1.1 keep-alive client on asyncio streams (uvloop when installed): an HTTP
library in Python costs more CPU per request than the server under test, and on a 2-core
machine the generator's own cost would cap the figures. URLs are requested round-robin
(so a detail endpoint can be driven over many rows). Warm-up requests are not counted;
the measured part stops at whichever bound comes first, the requests or the seconds.
Requests in flight when the window closes are waited for (at most DRAIN_S each) and
counted, and every connection makes at least one measured request: an operation slower
than the window still gets figures. Only this machine's loopback is
ever loaded."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import urlsplit

NO_BODY = {204, 304}
DRAIN_S = 120.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[index]


@dataclass
class Target:
    host: str
    port: int
    requests: list[bytes]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    served: int = 0  # warm-up included


def build(urls: list[str], method: str, headers: list[str], data: str) -> Target:
    body = data.encode()
    hosts = set()
    requests = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
            sys.exit("load is only ever sent to this machine's loopback (http://127.0.0.1)")
        hosts.add((parts.hostname, parts.port or 80))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += headers
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        requests.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    if len(hosts) != 1:
        sys.exit("all URLs must name the same host and port")
    (host, port) = hosts.pop()
    return Target(str(host), port, requests)


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns its status and whether the server closes the connection."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = close = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if status in NO_BODY or status < 200:
        return status, close
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close


async def _worker(
    target: Target,
    turn: count[int],
    tally: Tally,
    warm_until: float,
    stop_at: float,
    budget: list[int],
) -> None:
    reader = writer = None
    measured = 0
    try:
        while True:
            now = time.perf_counter()
            measuring = now >= warm_until
            # Each connection makes at least one measured request, even when the warm-up
            # outlasted the window (an operation slower than the window still gets figures).
            if (now >= stop_at and measured) or (measuring and budget[0] <= 0):
                return
            if measuring:
                budget[0] -= 1
            if writer is None:
                reader, writer = await asyncio.open_connection(target.host, target.port)
            assert reader is not None
            payload = target.requests[next(turn) % len(target.requests)]
            start = time.perf_counter()
            try:
                writer.write(payload)
                # A request started inside the window is waited for (a slow operation still
                # gets figures), but never longer than DRAIN_S.
                status, close = await asyncio.wait_for(_response(reader), DRAIN_S)
            except (
                ConnectionError,
                asyncio.IncompleteReadError,
                ValueError,
                IndexError,
                TimeoutError,
            ):
                tally.errors += 1
                measured += measuring  # a failed request still ends this connection's turn
                writer.close()
                reader = writer = None
                continue
            elapsed = time.perf_counter() - start
            tally.served += 1
            if measuring:
                measured += 1
                tally.latencies.append(elapsed)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if close:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def run(
    target: Target, *, concurrency: int, requests: int, seconds: float, warmup: float
) -> dict[str, Any]:
    tally = Tally()
    began = time.perf_counter()
    warm_until = began + warmup
    turn = count()
    budget = [requests]
    workers = [
        _worker(target, turn, tally, warm_until, warm_until + seconds, budget)
        for _ in range(concurrency)
    ]
    await asyncio.gather(*workers)
    # Requests in flight at the end are waited for: the measured span runs to the last one.
    elapsed = max(time.perf_counter() - warm_until, 1e-9)
    latencies = sorted(tally.latencies)
    ms = 1000.0
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * ms, 2),
        "p95_ms": round(percentile(latencies, 95) * ms, 2),
        "p99_ms": round(percentile(latencies, 99) * ms, 2),
        "mean_ms": round(statistics.fmean(latencies) * ms, 2) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "errors": tally.errors,
        "served": tally.served,
        "concurrency": concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="+")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=4000, help="measured requests, at most")
    parser.add_argument("--seconds", type=float, default=8, help="measured seconds, at most")
    parser.add_argument("--warmup", type=float, default=2, help="seconds not counted")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--method", default="GET")
    parser.add_argument("--data", default="", help="request body (e.g. a url-encoded form)")
    args = parser.parse_args()
    target = build(args.url, args.method, args.header, args.data)
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        figures = runner.run(
            run(
                target,
                concurrency=args.concurrency,
                requests=args.requests,
                seconds=args.seconds,
                warmup=args.warmup,
            )
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
