"""Every clause of the policy has a test, the traceability document is current, and the
repository stands alone: nothing in it reads the workspace around it."""

from __future__ import annotations

import subprocess

from tests.traceability import POLICY, REGENERATE, ROOT, policy_clauses, render

DOCUMENT = ROOT / "docs" / "policy-traceability.md"
# Directories that are not the project's own text: tooling, dependencies, scratch space.
NOT_THE_PROJECT = {".git", "node_modules", ".venv", "var", "dist", "__pycache__"}
OUTSIDE = ("../" + "shared", "/" + "shared/")  # spelt in two parts so this file passes too


def test_policy_lists_the_clauses() -> None:
    clauses = policy_clauses()
    assert POLICY == ROOT / "docs" / "policy-clauses.md"
    assert POLICY.is_file()
    assert {"1.3", "4.3.1(i)", "4.3.1(ii)", "4.3.1(x)", "5.1", "6"} <= set(clauses)
    assert len(clauses) == 21
    assert clauses["4.3.1(ii)"] == "the response deadline"


def test_every_clause_has_a_test_and_the_document_is_current() -> None:
    text = render()
    untested = [block.splitlines()[0] for block in text.split("\n## ")[1:] if "- NONE" in block]
    assert untested == [], f"clauses without a test: {untested}"
    assert DOCUMENT.read_text() == text, f"docs/policy-traceability.md is stale: run `{REGENERATE}`"


def _project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode == 0:
        names = listed.stdout.splitlines()
    else:  # not a git checkout (an exported tarball): walk the tree
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return [n for n in names if not NOT_THE_PROJECT & set(n.split("/"))]


def test_no_file_reaches_outside_the_repository() -> None:
    files = _project_files()
    assert "docs/policy-clauses.md" in files
    offending = []
    for name in files:
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree, still in the index
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue  # binary
        offending += [f"{name}: {needle}" for needle in OUTSIDE if needle in text]
    assert offending == []
