"""``check`` and ``revgate contracts check`` against git history: a repository in a temporary directory
with the committed documents, changed the way a developer would change them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main
from gateway.contract_guard import check
from tests.gateway.contract_guard._documents import OPENAPI_DIR, REPO_ROOT, committed, schema

GIT = shutil.which("git") or "git"
DOCUMENT = "customer-master.v2.json"


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        [
            GIT,
            "-c",
            "user.name=revgate tests",
            "-c",
            "user.email=tests@revgate.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _write(repo: Path, name: str, document: dict[str, Any]) -> None:
    (repo / "contracts" / "openapi" / name).write_text(json.dumps(document, indent=2))


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose one commit holds every committed document."""
    (tmp_path / "contracts" / "openapi").mkdir(parents=True)
    for path in OPENAPI_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / "contracts" / "openapi" / path.name)
    _git(tmp_path, "init", "-q", "-b", "main")
    _commit(tmp_path, "contracts")
    return tmp_path


def _narrow_customer_name(repo: Path) -> None:
    document = committed(DOCUMENT)
    schema(document, "CustomerCreate")["properties"]["name"]["maxLength"] = 100
    _write(repo, DOCUMENT, document)


def test_main_has_no_breaking_change_against_its_last_commit() -> None:
    report = check(REPO_ROOT, "HEAD")
    assert report.findings == (), report.render()
    assert set(report.documents) == {path.name for path in OPENAPI_DIR.glob("*.json")}


def test_main_keeps_every_promise_of_the_released_contracts() -> None:
    """In CI's fresh clone the work tree is HEAD: this is the check that spans commits and sessions."""
    report = check(REPO_ROOT)
    assert report.base == "the released contracts (contracts/RELEASED)"
    assert report.findings == (), report.render()


def test_the_released_file_names_the_default_base(repo: Path) -> None:
    first = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "contracts" / "RELEASED").write_text(f"# the contracts consumers have\n{first}\n")
    _narrow_customer_name(repo)
    _commit(repo, "narrow the name")
    report = check(repo)
    assert report.base == "the released contracts (contracts/RELEASED)"
    assert report.breaking


def test_an_unchanged_work_tree_passes(repo: Path) -> None:
    report = check(repo)
    assert not report.breaking
    assert report.base == "HEAD"
    assert report.render().startswith(f"no breaking changes in {len(report.documents)} documents")


def test_a_change_in_the_work_tree_is_found_against_head(repo: Path) -> None:
    _narrow_customer_name(repo)
    report = check(repo)
    assert report.breaking
    (finding,) = report.findings
    assert (finding.document, finding.kind) == (DOCUMENT, "request-constraint-narrowed")
    assert finding.operation == "POST /v2/customers"


def test_a_committed_change_is_found_against_an_earlier_base(repo: Path) -> None:
    first = _git(repo, "rev-parse", "HEAD")
    _narrow_customer_name(repo)
    _commit(repo, "narrow the name")
    assert not check(repo).breaking  # the work tree is what HEAD says
    assert check(repo, "HEAD~1").breaking
    assert check(repo, first).breaking


def test_the_default_base_is_where_the_branch_left_origin_main(repo: Path) -> None:
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    _narrow_customer_name(repo)
    _commit(repo, "narrow the name")
    report = check(repo)
    assert report.base == "merge-base of HEAD and origin/main"
    assert report.breaking


def test_a_document_new_at_the_base_passes(repo: Path) -> None:
    _write(repo, "customer-master.v3.json", committed(DOCUMENT))
    report = check(repo)
    assert not report.breaking
    assert report.new_documents == ("customer-master.v3.json",)
    assert "new since the base: customer-master.v3.json" in report.render()


def test_a_removed_document_is_breaking(repo: Path) -> None:
    (repo / "contracts" / "openapi" / "customer-master.v1.json").unlink()
    report = check(repo)
    assert [(f.document, f.kind) for f in report.findings] == [
        ("customer-master.v1.json", "document-removed")
    ]


def test_the_report_says_what_where_and_why(repo: Path) -> None:
    _narrow_customer_name(repo)
    text = check(repo).render()
    assert "Breaking changes (compared with HEAD, commit " in text
    assert f"\n{DOCUMENT}\n" in text
    assert "  POST /v2/customers, request body (application/json), field name\n" in text
    assert "    what:  maxLength lowered from 255 to 100\n" in text
    assert "    why:   values longer than 100 characters were valid and are now refused\n" in text
    assert (
        f"    at:    {DOCUMENT}#/components/schemas/CustomerCreate/properties/name/maxLength (work tree)"
        "  [request-constraint-narrowed]\n"
    ) in text
    assert "1 breaking change in 1 of 5 documents." in text
    assert "new major" in text


def test_cli_exits_0_and_says_so_without_breaking_changes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contracts", "check", "--repo", str(repo)]) == 0
    assert capsys.readouterr().out.startswith("no breaking changes in 5 documents")


def test_cli_exits_1_on_a_breaking_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _narrow_customer_name(repo)
    assert main(["contracts", "check", "--repo", str(repo), "--base", "HEAD"]) == 1
    assert "maxLength lowered from 255 to 100" in capsys.readouterr().out


def test_cli_finds_the_repository_from_the_current_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _narrow_customer_name(repo)
    monkeypatch.chdir(repo / "contracts")
    assert main(["contracts", "check"]) == 1
    assert DOCUMENT in capsys.readouterr().out


def test_cli_exits_2_on_a_revision_that_names_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "check", "--repo", str(repo), "--base", "no-such-branch"]) == 2
    assert "'no-such-branch' names no commit" in capsys.readouterr().err
