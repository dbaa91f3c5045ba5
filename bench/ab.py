"""Before/after in the same run: two copies of the service against one kept bench database.

    .venv/bin/python -m bench.run --scales 1000000 --keep       # once: a database to keep
    cp -r backend /tmp/before                                   # the tree before a change
    ...change the tree...
    .venv/bin/python -m bench.ab --before /tmp/before/backend [--ops detail,dashboard]
        [--rounds 2] [--seconds 5]

Starts the floor, the service from ``--before`` (its ``ombuds`` first on the path) and the
service from this tree, each one uvicorn worker with the kept run's keys
(var/bench/env.json), and drives each operation against the floor, before and after in
turn, ``--rounds`` times (alternating, so the machine's other load falls on both). Prints
requests per second over the floor's and CPU per request, and writes var/bench/ab.json.

The kept database's feed token is known only by its hash: the benchmark user's live feed
token is given a fresh value here (a benchmark database, nothing else)."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import statistics
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench import seed, servers
from bench.run import OUT, _token_for
from bench.servers import Load, Server
from ombuds import demo

OPS = ("dashboard", "detail", "status_board", "deadlines", "feed_304", "feed_200")


async def _prepare(dsn: str) -> tuple[list[str], str, int]:
    """500 of the benchmark ombudsperson's complaints, a fresh feed token, the postmaster."""
    conn = await asyncpg.connect(dsn)
    try:
        data = await conn.fetchval("SHOW data_directory")
        postmaster = int((Path(data) / "postmaster.pid").read_text().split()[0])
        user = await conn.fetchval(
            "SELECT id FROM users WHERE username = $1", seed.BENCH_OMBUDSPERSON
        )
        ids = await conn.fetch(
            "SELECT id FROM complaints WHERE intake_ombudsperson_id = $1 ORDER BY id LIMIT 500",
            user,
        )
        token = secrets.token_urlsafe(32)
        await conn.execute(
            "UPDATE calendar_feed_tokens SET token_hash = $1 "
            "WHERE user_id = $2 AND ended_at IS NULL",
            hashlib.sha256(token.encode()).hexdigest(),
            user,
        )
        return [str(r["id"]) for r in ids], token, postmaster
    finally:
        await conn.close()


def _plan(api: Server, ids: list[str], token: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    ombuds = {"Authorization": f"Bearer {_token_for(api, seed.BENCH_OMBUDSPERSON)}"}
    officer = {"Authorization": f"Bearer {_token_for(api, seed.BENCH_OFFICER)}"}
    integration = {"Authorization": f"Bearer {demo.DEMO_API_TOKEN}"}
    feed = f"{api.base}/api/feeds/{token}.ics"
    etag = httpx.get(feed, timeout=120).headers["ETag"]
    return {
        "dashboard": ([f"{api.base}/api/complaints?limit=50"], ombuds),
        "detail": ([f"{api.base}/api/complaints/{i}" for i in ids], ombuds),
        "status_board": ([f"{api.base}/api/status?limit=50"], officer),
        "deadlines": ([f"{api.base}/api/deadlines?limit=100"], integration),
        "feed_200": ([feed], {}),
        "feed_304": ([feed], {"If-None-Match": etag}),
    }


def _measure(
    worker: Server, urls: list[str], headers: dict[str, str], load: Load, postmaster: int
) -> dict[str, Any]:
    cpu, pg = worker.cpu_seconds(), servers.postgres_cpu_seconds(postmaster)
    figures = servers.drive(urls, load, headers=headers)
    served = max(int(figures.pop("served")), 1)
    figures["worker_cpu_ms"] = (worker.cpu_seconds() - cpu) * 1000 / served
    figures["postgres_cpu_ms"] = (servers.postgres_cpu_seconds(postmaster) - pg) * 1000 / served
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="a copy of backend/ before the change")
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    env = json.loads((OUT / "env.json").read_text())
    os.environ.update(env)
    dsn = env["OMBUDS_DATABASE_URL"].replace("postgresql+asyncpg", "postgresql")
    ids, token, postmaster = asyncio.run(_prepare(dsn))
    load = Load(args.concurrency, 20000, args.seconds, 1)
    before_env = {**env, "PYTHONPATH": os.pathsep.join([args.before, str(servers.ROOT)])}
    floor = servers.start("floor", "bench.floor:create_app", env, OUT, "/openapi.json")
    before = servers.start("api-before", "ombuds.main:create_app", before_env, OUT, "/api/health")
    after = servers.start("api", "ombuds.main:create_app", env, OUT, "/api/health")
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        plans = {"before": _plan(before, ids, token), "after": _plan(after, ids, token)}
        floor_urls = [f"{floor.base}/floor/{i}" for i in ids]
        for op in args.ops.split(","):
            runs: dict[str, list[dict[str, Any]]] = {"floor": [], "before": [], "after": []}
            for _ in range(args.rounds):
                runs["floor"].append(_measure(floor, floor_urls, {}, load, postmaster))
                for name, worker in (("before", before), ("after", after)):
                    urls, headers = plans[name][op]
                    runs[name].append(_measure(worker, urls, headers, load, postmaster))
            results[op] = runs
            floor_rps = statistics.mean(r["rps"] for r in runs["floor"])
            line = [f"{op:13s} floor {floor_rps:7.0f} req/s"]
            for name in ("before", "after"):
                rps = statistics.mean(r["rps"] for r in runs[name])
                p50 = statistics.median(r["p50_ms"] for r in runs[name])
                cpu = statistics.mean(r["worker_cpu_ms"] for r in runs[name])
                pg = statistics.mean(r["postgres_cpu_ms"] for r in runs[name])
                line.append(
                    f"{name} {rps:6.1f} req/s ({rps / floor_rps:.3f}x) p50 {p50:7.1f} ms "
                    f"cpu {cpu:5.2f}+{pg:5.2f} ms"
                )
            print("  |  ".join(line), flush=True)
    finally:
        for server in (floor, before, after):
            server.stop()
    (OUT / "ab.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
