"""The web app's own test suites, run by `make test` (through `make test-frontend`)."""

from __future__ import annotations

from tests.frontend.support import BIN, count, require_browser, require_frontend_run, run


def test_the_generated_client_matches_the_committed_openapi_document() -> None:
    require_frontend_run()
    result = run("node", "scripts/generate-client.mjs", "--check", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "client is current" in result.stdout


def test_the_vitest_suite_passes() -> None:
    require_frontend_run()
    result = run(str(BIN / "vitest"), "run", timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert count(r"Tests\s+(\d+) passed", output) > 0, output


def test_the_playwright_suite_passes_in_chromium_with_zero_axe_violations() -> None:
    require_frontend_run()
    require_browser()
    result = run(str(BIN / "playwright"), "test", timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    assert count(r"(\d+) passed", output) > 0, output[-5000:]
    assert count(r"(\d+) failed", output) == 0, output[-20000:]
