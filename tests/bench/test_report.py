"""The benchmark's table (bench/report.py): ratios against the floor of the same run and the
same number of workers, the issue's targets, the audit lock waits and the sealing window."""

from __future__ import annotations

from typing import Any

from bench import report

ROWS = {
    "complaints": 10_000,
    "complaint_people": 1,
    "incidents": 1,
    "deadlines": 1,
    "committees": 1,
    "timeline_events": 1,
    "audit_entries": 1,
    "members": 1,
}


def operation(
    rps: float, p50: float, audit_waits: int = 0, unsealed: float = 0.0
) -> dict[str, Any]:
    return {
        "rps": rps,
        "p50_ms": p50,
        "p95_ms": p50 * 2,
        "p99_ms": p50 * 3,
        "worker_cpu_ms": 1.0,
        "postgres_cpu_ms": 0.5,
        "load_average": 1.0,
        "pg_samples": {
            "samples": 100,
            "lock_waits": audit_waits + 2,
            "advisory_lock_waits": 2,
            "audit_lock_waits": audit_waits,
            "waits_seen": {"advisory key 7 SELECT pg_advisory_xact_lock($1)": 2},
            "unsealed_max_s": unsealed,
            "unsealed_p95_s": unsealed / 2,
        },
    }


def run(
    floor_rps: float, detail_rps: float, peak_mb: list[float], audit_waits: int = 0
) -> dict[str, Any]:
    ops = {key: operation(floor_rps * 0.5, 10.0) for key, _ in report.OPERATIONS}
    ops["floor"] = operation(floor_rps - 100, 5.0)
    ops["floor_after"] = operation(floor_rps + 100, 5.0)
    ops["detail"] = operation(detail_rps, 20.0, audit_waits=audit_waits, unsealed=1.4)
    ops["feed_200"] = operation(floor_rps * 0.09, 300.0)
    ops["_memory"] = {
        "api_peak_rss_mb": peak_mb,
        "api_rss_mb": [100.0] * len(peak_mb),
        "floor_peak_rss_mb": [70.0] * len(peak_mb),
    }
    ops["_feed"] = {"bytes": 1000, "events": 3}
    return ops


def summary() -> dict[str, Any]:
    return {
        "machine": {k: "x" for k in ("nproc", "cpu", "memory", "postgresql", "python", "kernel")},
        "encrypted": True,
        "total_seconds": 125,
        "bounds": {
            "load": {"concurrency": 8, "warmup": 1, "requests": 100, "seconds": 2},
            "logins": {"concurrency": 2, "requests": 60, "seconds": 2},
        },
        "scales": {
            "10000": {
                "_rows": ROWS,
                "_db_size": "54 MB",
                "_seed": {"load_s": 1, "vacuum_analyze_s": 1},
                "workers": {
                    "1": run(1000, 600, [180.0]),
                    "2": run(2000, 800, [190.0, 210.5], audit_waits=3),
                },
            }
        },
    }


def row(text: str, label: str, occurrence: int) -> list[str]:
    rows = [line for line in text.splitlines() if line.startswith(f"| {label} |")]
    return [cell.strip() for cell in rows[occurrence].strip("|").split("|")]


class TestRender:
    def test_ratios_compare_like_with_like_and_name_the_targets(self) -> None:
        text = report.render(summary())
        one, two = row(text, report.OPERATIONS[2][1], 0), row(text, report.OPERATIONS[2][1], 1)
        assert one[5:8] == ["0.60", "≥ 0.5", "met"]  # 600 req/s against one worker's 1000
        assert two[5:8] == ["0.40", "≥ 0.5", "**MISSED**"]  # 800 against two workers' 2000
        feed = row(text, report.OPERATIONS[5][1], 0)
        assert feed[5:8] == ["0.09", "≥ 0.1", "**MISSED**"]
        board = row(text, report.OPERATIONS[3][1], 0)
        assert board[5:8] == ["0.50", "≥ 0.5", "met"]

    def test_shows_audit_lock_waits_of_samples_and_the_sealing_window(self) -> None:
        text = report.render(summary())
        assert row(text, report.OPERATIONS[2][1], 0)[10:12] == ["0 of 100", "2 (2)"]
        assert row(text, report.OPERATIONS[2][1], 1)[10:12] == ["3 of 100", "5 (2)"]
        assert "Audit lock waits over every operation: 0 of 800 samples (met)" in text
        assert "Audit lock waits over every operation: 3 of 800 samples (**MISSED**)" in text
        assert "at most 1.4 s, p95 0.7 s (100 samples)" in text

    def test_peak_memory_per_worker_against_200_mb(self) -> None:
        text = report.render(summary())
        assert "VmHWM): 180.0 MB (target < 200 MB: met)" in text
        assert "VmHWM): 190.0 MB / 210.5 MB (target < 200 MB: **MISSED**)" in text
