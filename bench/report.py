"""The results table of bench/run.py, and its place in docs/benchmarks.md.

The generated part of the "## Backend" section sits between two markers; the notes around
it (what was changed, the evidence for what is missed) are written by hand and kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
START, END = "<!-- bench:backend:start -->", "<!-- bench:backend:end -->"
COMMAND = "make bench  # = .venv/bin/python -m bench.run --write"

OPERATIONS = [
    ("floor", "floor: bare FastAPI, one primary-key SELECT"),
    ("dashboard", "ombudsperson dashboard `GET /api/complaints?limit=50`"),
    ("detail", "complaint detail + audit write `GET /api/complaints/{id}`"),
    ("status_board", "table-officer status board `GET /api/status?limit=50`"),
    ("deadlines", "deadlines JSON API `GET /api/deadlines?limit=100` (integration token)"),
    ("feed_200", "ICS feed, full body `GET /api/feeds/{token}.ics`"),
    ("feed_304", "ICS feed, 304 (`If-None-Match`)"),
    ("login", "login `POST /api/auth/token` (argon2id, by design slow)"),
]
THROUGHPUT_TARGETS = {
    "detail": 0.5,
    "dashboard": 0.5,
    "status_board": 0.5,
    "deadlines": 0.5,
    "feed_304": 0.8,
    "feed_200": 0.1,
}
FLAT = 1.3
MEMORY_MB = 200
SEALED_UNDER = "detail"  # every request of it appends an audit entry
WORKERS = {"1": "one worker", "2": "two workers"}


def floor_rps(run: dict[str, Any]) -> float:
    return (float(run["floor"]["rps"]) + float(run["floor_after"]["rps"])) / 2


def floor_cpu_ms(run: dict[str, Any]) -> float:
    both = [run["floor"], run["floor_after"]]
    return sum(float(f["worker_cpu_ms"]) + float(f["postgres_cpu_ms"]) for f in both) / 2


def _verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def _scale_name(scale: str) -> str:
    n = int(scale)
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def _workers_name(workers: str) -> str:
    return WORKERS.get(workers, f"{workers} workers")


def _mbs(values: list[float]) -> str:
    return " / ".join(f"{v} MB" for v in values)


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def audit_lock_waits(run: dict[str, Any]) -> tuple[int, int]:
    """(samples with a backend waiting on something audit-related, samples) over every
    operation of one run."""
    waits = samples = 0
    for key, _ in OPERATIONS:
        sample = run[key]["pg_samples"]
        waits += int(sample["audit_lock_waits"])
        samples += int(sample["samples"])
    return waits, samples


def _table(run: dict[str, Any]) -> list[str]:
    base = floor_rps(run)
    lines = [
        "| operation | p50 ms | p95 ms | p99 ms | req/s | × floor | target | | CPU ms/req "
        "(workers + PostgreSQL) | × floor by CPU | audit lock waits | any lock wait (advisory) "
        "| load avg |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for key, label in OPERATIONS:
        f = run[key]
        ratio = float(f["rps"]) / base if key != "floor" else 1.0
        if key == "floor":
            rps = f"{base:.0f} ({f['rps']:.0f} / {run['floor_after']['rps']:.0f})"
        else:
            rps = f"{f['rps']:.0f}" if f["rps"] >= 10 else f"{f['rps']:.1f}"
        target = THROUGHPUT_TARGETS.get(key)
        verdict = _verdict(ratio >= target) if target else ""
        cpu = float(f["worker_cpu_ms"]) + float(f["postgres_cpu_ms"])
        by_cpu = 1.0 if key == "floor" else floor_cpu_ms(run) / cpu if cpu else float("nan")
        sample = f["pg_samples"]
        lines.append(
            f"| {label} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['p99_ms']:.1f} | {rps} "
            f"| {ratio:.2f} | {f'≥ {target}' if target else ''} | {verdict} "
            f"| {f['worker_cpu_ms']:.2f} + {f['postgres_cpu_ms']:.2f} | {by_cpu:.2f} "
            f"| {sample['audit_lock_waits']} of {sample['samples']} | {sample['lock_waits']} "
            f"({sample['advisory_lock_waits']}) "
            f"| {f['load_average']:.1f} |"
        )
    memory = run["_memory"]
    sealed = run[SEALED_UNDER]["pg_samples"]
    waits, samples = audit_lock_waits(run)
    seen = [
        f"{key}: `{what}` in {n}"
        for key, _ in OPERATIONS
        for what, n in run[key]["pg_samples"]["waits_seen"].items()
    ]
    lines += [
        "",
        f"Peak RSS per API worker (VmHWM): {_mbs(memory['api_peak_rss_mb'])} (target "
        f"< {MEMORY_MB} MB: {_verdict(max(memory['api_peak_rss_mb']) < MEMORY_MB)})"
        + (
            f", {_mbs(memory['api_peak_before_logins_mb'])} before the logins"
            if "api_peak_before_logins_mb" in memory
            else ""
        )
        + f"; RSS at the end {_mbs(memory['api_rss_mb'])} (floor's peak: "
        f"{_mbs(memory['floor_peak_rss_mb'])}). Audit lock waits over every operation: "
        f"{waits} of {samples} samples ({_verdict(waits == 0)}). Sealing window under the "
        f"detail load (the age of the oldest unsealed audit entry): at most "
        f"{_seconds(sealed['unsealed_max_s'])}, p95 {_seconds(sealed['unsealed_p95_s'])} "
        f"({sealed['samples']} samples)."
        + (f" Lock waits seen (samples): {'; '.join(seen)}." if seen else ""),
        "",
    ]
    return lines


def render(summary: dict[str, Any]) -> str:
    m = summary["machine"]
    scales: dict[str, Any] = summary["scales"]
    names = list(scales)
    counts = list(scales[names[0]]["workers"])
    bounds = summary["bounds"]
    lines = [
        START,
        f"Command: `{COMMAND}` — {summary['total_seconds'] // 60} min "
        f"{summary['total_seconds'] % 60} s end to end, seeding included.",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']} RAM; PostgreSQL "
        f"{m['postgresql']}; Python {m['python']}; Linux {m['kernel']}. Service, floor, "
        "load generator and PostgreSQL share the machine. Encrypted columns seeded as "
        f"ciphertext: {'yes' if summary['encrypted'] else 'no (plaintext)'}.",
        "",
        f"Load per operation: {bounds['load']['concurrency']} connections, "
        f"{bounds['load']['warmup']:g} s warm-up, then at most "
        f"{bounds['load']['requests']} requests or {bounds['load']['seconds']:g} s; login: "
        f"{bounds['logins']['concurrency']} connections, at most "
        f"{bounds['logins']['requests']} requests or {bounds['logins']['seconds']:g} s. "
        "The service and the floor run with the same number of uvicorn workers "
        f"({', '.join(counts)}). × floor = the operation's requests per second over the "
        "floor's (mean of the floor measured before and after, same run, same workers). "
        "CPU ms/req: CPU time the server's workers (or the floor's) and the benchmark's "
        "PostgreSQL spent per request served, warm-up included, read from /proc: live "
        "processes' utime + stime plus the cutime + cstime of uvicorn's and PostgreSQL's "
        "parent processes, so backends and workers that exited during the operation are "
        "counted; × floor by CPU = the floor's CPU per request over the operation's. Lock "
        "waits: pg_locks joined to pg_stat_activity, sampled every 20 ms from a connection of "
        "its own during the load (its own CPU is not counted): a sample counts as a lock "
        "wait when any backend waits on a lock not granted, as advisory when one waits on an "
        "advisory lock, and as an audit lock wait when one waits on an audit table, on the "
        "audit's advisory key or in a statement on the audit log. Sealing window: "
        "the age of the oldest audit entry not yet linked into the chain, sampled likewise. "
        "Load average: the machine's, after the operation (other work on this shared machine "
        "shows up there).",
        "",
    ]
    for scale in names:
        at = scales[scale]
        rows = at["_rows"]
        feed = at["workers"][counts[0]]["_feed"]
        lines += [
            f"#### {_scale_name(scale)} complaints",
            "",
            f"{rows['complaints']:,} complaints, {rows['complaint_people']:,} people, "
            f"{rows['incidents']:,} incidents, {rows['deadlines']:,} deadlines, "
            f"{rows['committees']:,} committees, {rows['timeline_events']:,} timeline events, "
            f"{rows['audit_entries']:,} audit entries, {rows['members']:,} members; database "
            f"{at['_db_size']}; loaded in {at['_seed']['load_s']} s + VACUUM ANALYZE "
            f"{at['_seed']['vacuum_analyze_s']} s. Feed: {feed['events']} events, "
            f"{feed['bytes']:,} bytes.",
            "",
        ]
        for workers in counts:
            lines += [f"{_scale_name(scale)}, {_workers_name(workers)}:", ""]
            lines += _table(at["workers"][workers])
    first, last = names[0], names[-1]
    lines += [
        f"#### Flat from {_scale_name(first)} to {_scale_name(last)}",
        "",
        "| operation | workers | "
        + " | ".join(f"p50 {_scale_name(s)}" for s in names)
        + f" | {_scale_name(last)} / {_scale_name(first)} | target | |",
        "| --- | ---: | " + " | ".join("---:" for _ in names) + " | ---: | ---: | --- |",
    ]
    for key, label in OPERATIONS:
        for workers in counts:
            p50s = [float(scales[s]["workers"][workers][key]["p50_ms"]) for s in names]
            growth = p50s[-1] / p50s[0] if p50s[0] else float("nan")
            lines.append(
                f"| {label} | {workers} | "
                + " | ".join(f"{p:.1f} ms" for p in p50s)
                + f" | {growth:.2f} | ≤ {FLAT} | {_verdict(growth <= FLAT)} |"
            )
    lines.append("")
    for workers in counts:
        peaks = scales[last]["workers"][workers]["_memory"]["api_peak_rss_mb"]
        runs = [scales[s]["workers"][workers] for s in names]
        sealed = [run[SEALED_UNDER]["pg_samples"] for run in runs]
        waits = [audit_lock_waits(run) for run in runs]
        lines.append(
            f"- {_workers_name(workers).capitalize()}: peak memory per API worker at "
            f"{_scale_name(last)} {_mbs(peaks)} (target < {MEMORY_MB} MB: "
            f"{_verdict(max(peaks) < MEMORY_MB)}; by scale: "
            + ", ".join(
                f"{_scale_name(s)} {_mbs(run['_memory']['api_peak_rss_mb'])}"
                for s, run in zip(names, runs, strict=True)
            )
            + "); audit lock waits "
            + ", ".join(
                f"{_scale_name(s)} {w} of {n}" for s, (w, n) in zip(names, waits, strict=True)
            )
            + f" samples ({_verdict(all(w == 0 for w, _ in waits))}); sealing window under the "
            "detail load, at most (p95): "
            + ", ".join(
                f"{_scale_name(s)} {_seconds(x['unsealed_max_s'])} "
                f"({_seconds(x['unsealed_p95_s'])})"
                for s, x in zip(names, sealed, strict=True)
            )
            + "."
        )
    lines.append(END)
    return "\n".join(lines)


def write(generated: str) -> None:
    """Replace the generated block; a new block goes at the end of the Backend section."""
    start, end = START, END
    text = DOC.read_text() if DOC.is_file() else "# Benchmarks\n"
    if start in text and end in text:
        text = re.sub(
            re.escape(start) + ".*?" + re.escape(end), lambda _: generated, text, flags=re.S
        )
    else:
        if not re.search(r"^## Backend\n", text, re.M):
            text = text.rstrip() + "\n\n## Backend\n"
        section = re.search(r"^## Backend\n.*?(?=^## |\Z)", text, re.S | re.M)
        assert section is not None
        at = section.end()
        text = text[:at].rstrip() + "\n\n" + generated + "\n\n" + text[at:].lstrip()
    DOC.write_text(text.rstrip() + "\n")
