"""The backend benchmark, end to end (issue 7): `make bench`.

    .venv/bin/python -m bench.run [--scales 10000,100000,1000000] [--workers 1,2]
        [--seconds 8] [--warmup 2] [--write]

A quick look at the table (not the figures of record): `--scales 10000 --seconds 2 --warmup 1`.

1. Starts PostgreSQL the way the tests do (tests/support/postgres.py), creates a database
   and migrates it (`ombuds.kit.migrations.upgrade`).
2. Seeds the demo Local (its logins work) and synthetic complaints with COPY, growing the
   same database to each scale in turn (bench/seed.py, bench/synth.py).
3. At each scale, with one worker and then with two, starts the service (production
   settings, uvicorn `--workers N` on main.py's app factory, no access log) and the floor
   (bench/floor.py: one primary-key SELECT, small JSON) with as many workers, each server in
   its own process on loopback, and drives every operation with bench/load.py from another
   process: bounded in requests and seconds. The floor is measured before and after the
   operations. CPU per request is the servers' and PostgreSQL's, exited processes included
   (bench/servers.py `tree_cpu_ticks`); meanwhile bench/sampler.py samples PostgreSQL's lock
   waits and the age of the oldest unsealed audit entry every 20 ms.
4. Writes the figures to var/bench/results.json and, with --write, the "Backend" section of
   docs/benchmarks.md (bench/report.py).

Production settings use fresh random keys for each run: OMBUDS_SECRET_KEY, OMBUDS_AUDIT_KEY
and a one-key encryption ring (OMBUDS_ENCRYPTION_KEYS, OMBUDS_ENCRYPTION_ACTIVE_KEY_ID)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import secrets
import time
from pathlib import Path
from typing import Any

import httpx

from bench import report, seed, servers
from bench.sampler import Sampler
from bench.servers import Load, Server
from ombuds import demo
from ombuds.kit.migrations import upgrade
from ombuds.settings import Settings, audit_key
from tests.support.postgres import PostgresServer, find_bin_dir

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
DATABASE = "ombuds_bench"
CHAIN_CHECKED_UP_TO = 100_000
# The service as main.py offers it, with the production settings of production_env.
APP = "ombuds.main:create_app"
FLOOR = "bench.floor:create_app"
LOGIN_FORM = f"username={seed.BENCH_OMBUDSPERSON}&password={demo.DEMO_PASSWORD}"


def production_env(url: str) -> dict[str, str]:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return {
        "OMBUDS_ENV": "production",
        "OMBUDS_DATABASE_URL": url,
        "OMBUDS_SECRET_KEY": secrets.token_urlsafe(48),
        "OMBUDS_AUDIT_KEY": secrets.token_urlsafe(48),
        "OMBUDS_ENCRYPTION_KEYS": json.dumps({"k1": key}),
        "OMBUDS_ENCRYPTION_ACTIVE_KEY_ID": "k1",
    }


def stop_command(pg: PostgresServer) -> str:
    """How to stop a kept server (as root it runs as the postgres user, as the tests do)."""
    as_postgres = "runuser -u postgres -- " if pg.as_root else ""
    return f"{as_postgres}{pg.bin_dir / 'pg_ctl'} -D {pg.data} stop && rm -rf {pg.root}"


def machine(pg: PostgresServer) -> dict[str, str]:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "postgresql": pg.psql("SHOW server_version").strip(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def _token_for(api: Server, username: str) -> str:
    form = {"username": username, "password": demo.DEMO_PASSWORD}
    response = httpx.post(api.base + "/api/auth/token", data=form, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


def _check(name: str, figures: dict[str, Any], expected: str) -> None:
    statuses = figures["statuses"]
    bad = {k: v for k, v in statuses.items() if k != expected}
    if bad or figures["errors"]:
        raise RuntimeError(f"{name}: expected only {expected}, got {statuses}, {figures}")


def measure(
    world: seed.World,
    env: dict[str, str],
    load: Load,
    logins: Load,
    postmaster: int,
    workers: int,
) -> dict[str, Any]:
    """Every operation at the current scale, the service and the floor each with `workers`
    workers; the floor before and after them."""
    OUT.mkdir(parents=True, exist_ok=True)
    api = servers.start("api", APP, env, OUT, "/api/health", workers)
    floor = servers.start("floor", FLOOR, env, OUT, "/openapi.json", workers)
    try:
        ombuds = {"Authorization": f"Bearer {_token_for(api, seed.BENCH_OMBUDSPERSON)}"}
        officer = {"Authorization": f"Bearer {_token_for(api, seed.BENCH_OFFICER)}"}
        integration = {"Authorization": f"Bearer {demo.DEMO_API_TOKEN}"}
        ids = world.bench_complaints[:500]
        feed = f"{api.base}/api/feeds/{world.feed_token}.ics"
        first = httpx.get(feed, timeout=60)
        first.raise_for_status()
        etag = first.headers["ETag"]
        plan: list[tuple[str, list[str], dict[str, str], str, str, Load]] = [
            ("floor", [f"{floor.base}/floor/{i}" for i in ids], {}, "GET", "", load),
            ("dashboard", [f"{api.base}/api/complaints?limit=50"], ombuds, "GET", "", load),
            (
                "detail",
                [f"{api.base}/api/complaints/{i}" for i in ids],
                ombuds,
                "GET",
                "",
                load,
            ),
            ("status_board", [f"{api.base}/api/status?limit=50"], officer, "GET", "", load),
            ("deadlines", [f"{api.base}/api/deadlines?limit=100"], integration, "GET", "", load),
            ("feed_200", [feed], {}, "GET", "", load),
            ("feed_304", [feed], {"If-None-Match": etag}, "GET", "", load),
            (
                "login",
                [f"{api.base}/api/auth/token"],
                {"Content-Type": "application/x-www-form-urlencoded"},
                "POST",
                LOGIN_FORM,
                logins,
            ),
            ("floor_after", [f"{floor.base}/floor/{i}" for i in ids], {}, "GET", "", load),
        ]
        expected = {"feed_304": "304"}
        results: dict[str, Any] = {}
        peaks: dict[str, list[float]] = {}
        for name, urls, headers, method, data, bounds in plan:
            if name == "login":  # argon2id's own 64 MiB come with the first login
                peaks["api_peak_before_logins_mb"] = api.peak_rss_mb()
            server = floor if name.startswith("floor") else api
            # The sampler's own backend is left out of PostgreSQL's CPU; it lives through
            # both readings, so its CPU never moves into the postmaster's cutime between them.
            with Sampler(world.dsn) as sampler:
                own = (sampler.backend_pid,)
                cpu, pg_cpu = server.cpu_seconds(), servers.postgres_cpu_seconds(postmaster, own)
                figures = servers.drive(urls, bounds, headers=headers, method=method, data=data)
                cpu = server.cpu_seconds() - cpu
                pg_cpu = servers.postgres_cpu_seconds(postmaster, own) - pg_cpu
            # Counted over every request served (warm-up included): CPU per request is what
            # other processes on the machine cannot inflate much, unlike latency.
            served = int(figures.pop("served"))
            figures["worker_cpu_ms"] = round(cpu * 1000 / max(served, 1), 2)
            figures["postgres_cpu_ms"] = round(pg_cpu * 1000 / max(served, 1), 2)
            figures["load_average"] = servers.load_average()
            figures["pg_samples"] = s = sampler.figures()
            _check(name, figures, expected.get(name, "200"))
            results[name] = figures
            print(
                f"  {name:13s} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.2f} ms"
                f"  p95 {figures['p95_ms']:7.2f}  p99 {figures['p99_ms']:7.2f}  cpu/req "
                f"{figures['worker_cpu_ms']} + {figures['postgres_cpu_ms']} ms"
                f"  lock waits {s['lock_waits']} (audit {s['audit_lock_waits']}) of "
                f"{s['samples']}  unsealed max {s['unsealed_max_s']} s"
                f"  load {figures['load_average']}",
                flush=True,
            )
        results["_memory"] = {
            "api_peak_rss_mb": api.peak_rss_mb(),
            "api_rss_mb": api.rss_mb(),
            "floor_peak_rss_mb": floor.peak_rss_mb(),
            **peaks,
        }
        results["_feed"] = {"bytes": len(first.content), "events": first.text.count("BEGIN:VEVENT")}
        return results
    finally:
        api.stop()
        floor.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument(
        "--workers", default="1,2", help="worker counts (the service's and the floor's)"
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="leave PostgreSQL running at the end")
    parser.add_argument(
        "--seed-only",
        action="store_true",
        help="seed to each scale without measuring (with --keep: a database for EXPLAIN)",
    )
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    worker_counts = [int(n) for n in args.workers.split(",")]
    load = Load(args.concurrency, args.requests, args.seconds, args.warmup)
    logins = Load(2, 60, min(args.seconds, 10), 1)
    began = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)  # --seed-only --keep writes env.json into it
    pg = PostgresServer(find_bin_dir() or Path("/nonexistent")).start()
    try:
        pg.psql(f"CREATE DATABASE {DATABASE}")
        url = pg.url(DATABASE)
        env = production_env(url)
        os.environ.update(env)  # the migrations and the seeder use the same keys
        settings = Settings()
        upgrade(url)
        world = asyncio.run(seed.prepare(url, settings))
        if args.keep:  # random keys of this run only, for bench/ab.py and psql
            (OUT / "env.json").write_text(json.dumps(env))
        print(
            f"PostgreSQL on port {pg.port}; encrypted columns seeded as ciphertext: "
            f"{world.encrypted}",
            flush=True,
        )
        runs: dict[str, Any] = {}
        for scale in scales:
            t = time.perf_counter()
            asyncio.run(seed.grow(world, scale, audit_key(settings)))
            rows = asyncio.run(seed.counts(world.dsn))
            print(
                f"seeded {scale} complaints in {time.perf_counter() - t:.0f} s: {rows}", flush=True
            )
            if scale == scales[0] and scale <= CHAIN_CHECKED_UP_TO:  # later: too long to walk
                checked = asyncio.run(seed.verify_chain(url, settings))
                print(f"audit chain intact: {checked} entries checked", flush=True)
            if args.seed_only:
                continue
            postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
            results: dict[str, Any] = {"workers": {}}
            for n in worker_counts:
                print(f"{scale} complaints, {n} worker(s):", flush=True)
                results["workers"][str(n)] = measure(world, env, load, logins, postmaster, n)
            results["_rows"] = rows
            results["_seed"] = world.timings[scale]
            results["_db_size"] = pg.psql(
                f"SELECT pg_size_pretty(pg_database_size('{DATABASE}'))"
            ).strip()
            runs[str(scale)] = results
        if args.seed_only:
            if args.keep:
                print(
                    f"PostgreSQL left running: psql -h 127.0.0.1 -p {pg.port} -U postgres "
                    f"{DATABASE} (data in {pg.root}); stop it with {stop_command(pg)}"
                )
            return
        summary = {
            "machine": machine(pg),
            "scales": runs,
            "bounds": {"load": vars(args), "logins": logins.__dict__},
            "encrypted": world.encrypted,
            "total_seconds": round(time.perf_counter() - began),
        }
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "results.json").write_text(json.dumps(summary, indent=2))
        print(report.render(summary))
        if args.write:
            report.write(report.render(summary))
        if args.keep:
            print(
                f"PostgreSQL left running: psql -h 127.0.0.1 -p {pg.port} -U postgres {DATABASE}"
                f" (data in {pg.root}); stop it with {stop_command(pg)}"
            )
    finally:
        if not args.keep:
            pg.stop()


if __name__ == "__main__":
    main()
