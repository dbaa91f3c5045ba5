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
    "dashboard": 0.6,
    "status_board": 0.6,
    "deadlines": 0.6,
    "feed_304": 0.8,
}
FLAT = 1.3
MEMORY_MB = 200


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


def render(summary: dict[str, Any]) -> str:
    m = summary["machine"]
    scales: dict[str, Any] = summary["scales"]
    names = list(scales)
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
        f"Load per operation: {summary['bounds']['load']['concurrency']} connections, "
        f"{summary['bounds']['load']['warmup']:g} s warm-up, then at most "
        f"{summary['bounds']['load']['requests']} requests or "
        f"{summary['bounds']['load']['seconds']:g} s; login: "
        f"{summary['bounds']['logins']['concurrency']} connections, at most "
        f"{summary['bounds']['logins']['requests']} requests or "
        f"{summary['bounds']['logins']['seconds']:g} s. × floor = the operation's requests "
        "per second over the floor's (mean of the floor measured before and after, same run). "
        "CPU ms/req: CPU time the API worker (or the floor's) and the benchmark's PostgreSQL "
        "processes spent per request served, warm-up included (from /proc); × floor by CPU = "
        "the floor's CPU per request over the operation's. Load average: the machine's, after the "
        "operation (other work on this shared machine shows up there).",
        "",
    ]
    for scale in names:
        run = scales[scale]
        base = floor_rps(run)
        rows = run["_rows"]
        lines += [
            f"#### {_scale_name(scale)} complaints",
            "",
            f"{rows['complaints']:,} complaints, {rows['complaint_people']:,} people, "
            f"{rows['incidents']:,} incidents, {rows['deadlines']:,} deadlines, "
            f"{rows['committees']:,} committees, {rows['timeline_events']:,} timeline events, "
            f"{rows['audit_entries']:,} audit entries, {rows['members']:,} members; database "
            f"{run['_db_size']}; loaded in {run['_seed']['load_s']} s + VACUUM ANALYZE "
            f"{run['_seed']['vacuum_analyze_s']} s. Feed: {run['_feed']['events']} events, "
            f"{run['_feed']['bytes']:,} bytes. Peak RSS of the API worker (VmHWM): "
            f"{run['_memory']['api_peak_rss_mb']} MB"
            + (
                f", {run['_memory']['api_peak_before_logins_mb']} MB before the logins"
                if "api_peak_before_logins_mb" in run["_memory"]
                else ""
            )
            + f"; RSS at the end {run['_memory']['api_rss_mb']} MB (floor's peak: "
            f"{run['_memory']['floor_peak_rss_mb']} MB).",
            "",
            "| operation | p50 ms | p95 ms | p99 ms | req/s | × floor | target | | CPU ms/req "
            "(worker + PostgreSQL) | × floor by CPU | load avg |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
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
            lines.append(
                f"| {label} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['p99_ms']:.1f} | {rps} "
                f"| {ratio:.2f} | {f'≥ {target}' if target else ''} | {verdict} "
                f"| {f['worker_cpu_ms']:.2f} + {f['postgres_cpu_ms']:.2f} | {by_cpu:.2f} "
                f"| {f['load_average']:.1f} |"
            )
        lines.append("")
    first, last = names[0], names[-1]
    lines += [
        f"#### Flat from {_scale_name(first)} to {_scale_name(last)}",
        "",
        "| operation | "
        + " | ".join(f"p50 {_scale_name(s)}" for s in names)
        + f" | {_scale_name(last)} / {_scale_name(first)} | target | |",
        "| --- | " + " | ".join("---:" for _ in names) + " | ---: | ---: | --- |",
    ]
    for key, label in OPERATIONS:
        p50s = [float(scales[s][key]["p50_ms"]) for s in names]
        growth = p50s[-1] / p50s[0] if p50s[0] else float("nan")
        lines.append(
            f"| {label} | "
            + " | ".join(f"{p:.1f} ms" for p in p50s)
            + f" | {growth:.2f} | ≤ {FLAT} | {_verdict(growth <= FLAT)} |"
        )
    peak = float(scales[last]["_memory"]["api_peak_rss_mb"])
    lines += [
        "",
        f"Peak memory of the API worker at {_scale_name(last)}: {peak} MB "
        f"(target < {MEMORY_MB} MB: {_verdict(peak < MEMORY_MB)}); by scale: "
        + ", ".join(f"{_scale_name(s)} {scales[s]['_memory']['api_peak_rss_mb']} MB" for s in names)
        + ".",
        END,
    ]
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
