"""The web app's performance budget (issue 6): initial JavaScript <= 200 KB gzipped, and
the first screen's render time in headless Chromium on localhost (measured, not asserted).

    make frontend && .venv/bin/python -m bench.frontend_budget [--runs 10] [--write]

Serves frontend/dist from a local static server (with the SPA's index fallback), reads the
initial JavaScript from index.html (the entry script and its modulepreloads: everything the
first screen needs before any route chunk), and loads the page in Chromium `--runs` times
in fresh contexts. `--write` puts the figures under "## Frontend" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import re
import statistics
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "frontend" / "dist"
DOC = ROOT / "docs" / "benchmarks.md"
BUDGET_KB = 200.0
COMMAND = "make frontend && .venv/bin/python -m bench.frontend_budget --runs 10 --write"


def initial_scripts(index_html: str) -> list[str]:
    entry = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', index_html)
    preloads = re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', index_html)
    return list(dict.fromkeys(entry + preloads))


def gzipped_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1024


class SpaHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        if not (DIST / self.path.lstrip("/").split("?")[0]).is_file():
            self.path = "/index.html"
        return super().send_head()


def first_render(runs: int) -> list[dict[str, float]]:
    handler = functools.partial(SpaHandler, directory=str(DIST))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sign-in"
        out = subprocess.run(
            ["node", "scripts/first-render.mjs", url, str(runs)],
            cwd=ROOT / "frontend",
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
    finally:
        server.shutdown()
    samples: list[dict[str, float]] = json.loads(out)["samples"]
    return samples


def report(runs: int) -> str:
    index = (DIST / "index.html").read_text()
    scripts = initial_scripts(index)
    sizes = {s: gzipped_kb(DIST / s.lstrip("/")) for s in scripts}
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', index)
    css_kb = sum(gzipped_kb(DIST / c.lstrip("/")) for c in css)
    chunks = sorted(p for p in (DIST / "assets").glob("*.js") if f"/assets/{p.name}" not in sizes)
    lazy_kb = sum(gzipped_kb(p) for p in chunks)
    total = sum(sizes.values())
    samples = first_render(runs)

    def stat(key: str) -> str:
        values = [s[key] for s in samples if s.get(key) is not None]
        if not values:
            return "n/a"
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        return f"median {statistics.median(values):.0f} ms, p95 {p95:.0f} ms"

    verdict = "within" if total <= BUDGET_KB else "OVER"
    lines = [
        "## Frontend",
        "",
        f"Command: `{COMMAND}` (2 cores, headless Debian Chromium, localhost).",
        "",
        f"- Initial JavaScript (entry + modulepreloads, gzip -9): **{total:.1f} KB**, "
        f"{verdict} the {BUDGET_KB:.0f} KB budget",
        *[f"  - `{s}`: {kb:.1f} KB" for s, kb in sizes.items()],
        f"- Initial CSS: {css_kb:.1f} KB gzipped",
        f"- Route chunks loaded on demand (React.lazy): {len(chunks)} files, "
        f"{lazy_kb:.1f} KB gzipped in all",
        f"- First screen (sign-in) over {len(samples)} fresh loads: heading rendered "
        f"{stat('heading_ms')}; first contentful paint {stat('fcp_ms')}",
        "",
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    text = DOC.read_text() if DOC.is_file() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Frontend\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(section + "\n", text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section
    )
    DOC.write_text(text.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    section = report(args.runs)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
