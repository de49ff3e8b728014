"""Nothing a user types makes `cxreport build` destroy their work: refused targets, owned
folders, per-build scratch, the build lock, one-line file-system errors, concurrent builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.pipeline import OutputError, build_site
from generator.publish import MARKER, locked

from .test_serve_browser import _until
from .test_site import languages_config

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"
CONFIG = ROOT / "mkdocs.yml"

pytestmark = pytest.mark.slow


def digest(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: mkdocs.yml, the corpus in cases/, a notes file and a .git folder."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(CONFIG, root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(SMALL, root / "cases")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "notes.md").write_text("my notes\n")
    return root


def run_build(project: Path, *args: str):
    """`cxreport build` from inside the project, as a user would type it."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return CliRunner().invoke(app, ["build", "--cases", "cases", *args])
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(
    "out, words",
    [
        ("cases", "is the corpus"),
        ("cases/site", "is inside the corpus"),
        (".", "is the project"),
        ("..", "holds the project"),
        ("mkdocs.yml", "is a file, not a folder"),
        ("templates", "holds files cxreport did not write (_league.md.j2, _macros.md.j2"),
        ("~", "is your home folder"),
    ],
)
def test_build_refuses_to_write_over_the_users_work(project, out, words):
    before = digest(project)
    result = run_build(project, "--out", os.path.expanduser(out))
    assert result.exit_code == 1, result.output
    assert words in result.stderr, result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.output
    assert digest(project) == before


def test_a_folder_of_the_users_files_is_refused_an_empty_or_owned_one_is_used(project, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"years of work")
    result = run_build(project, "--out", str(mine))
    assert (
        result.exit_code == 1
        and "holds files cxreport did not write (thesis.docx)" in result.stderr
    )
    assert (mine / "thesis.docx").read_bytes() == b"years of work"

    empty = tmp_path / "empty"
    empty.mkdir()
    # one edition is enough to show the folder is used, then owned (and every edition is
    # written the same way: test_build_keeps_the_docs_and_leaves_no_scratch builds them all)
    assert run_build(project, "--out", str(empty), "--lang", "en").exit_code == 0
    assert (empty / "index.html").is_file() and (empty / MARKER).is_file()
    (empty / "stale.html").write_text("from an earlier build")
    assert run_build(project, "--out", str(empty), "--lang", "en").exit_code == 0  # replaced
    assert not (empty / "stale.html").exists() and (empty / "index.html").is_file()


def test_docs_dir_of_hand_written_pages_is_never_deleted(project):
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("docs_dir: .cxreport-build/docs", "docs_dir: docs")
    )
    docs = project / "docs"
    docs.mkdir()
    (docs / "about.md").write_text("# About us\n")
    before = digest(project)
    result = run_build(project)
    assert result.exit_code == 1
    assert "the docs folder (docs_dir of mkdocs.yml)" in result.stderr
    assert "holds files cxreport did not write (about.md)" in result.stderr
    assert digest(project) == before


def test_build_keeps_the_docs_and_leaves_no_scratch(project):
    assert run_build(project).exit_code == 0
    scratch = project / ".cxreport-build"
    assert (scratch / "docs" / "cases" / "broadband-outage.md").is_file()
    assert (scratch / "docs" / MARKER).is_file()
    assert not list(scratch.glob(".cxreport-scratch-*")), "scratch folders are removed"
    assert not list(project.glob(".site.building-*")) and not list(project.glob(".site.old-*"))
    assert (project / "site" / "index.html").is_file()
    assert not (project / "site" / MARKER.lstrip(".")).exists()


def test_unwritable_output_is_one_clear_line(project, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere; the permission check needs an ordinary user")
    locked_dir = tmp_path / "readonly"
    locked_dir.mkdir()
    locked_dir.chmod(0o500)
    try:
        result = run_build(project, "--out", str(locked_dir / "site"))
    finally:
        locked_dir.chmod(0o700)
    assert result.exit_code == 1
    assert "Permission denied" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_system_error_is_one_line_without_a_traceback(project, tmp_path):
    """The same path as a permission problem, for root too: the out folder's parent is a file."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    result = run_build(project, "--out", str(blocker / "site"))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_second_build_into_the_same_folder_waits_then_stops(tmp_path):
    out = tmp_path / "site"
    messages: list[str] = []
    # another build holds the lock
    with locked(out), pytest.raises(OutputError, match="is still running"):
        build_site(
            SMALL,
            config=CONFIG,
            out=out,
            docs_dir=tmp_path / "docs",
            on_wait=messages.append,
            wait=0.5,
        )
    assert messages and "waiting for it to finish" in messages[0]
    assert not out.exists()


def test_a_waiting_build_goes_on_when_the_first_one_ends(tmp_path):
    out = tmp_path / "site"
    release = threading.Event()

    def hold():
        with locked(out):
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    threading.Timer(1.0, release.set).start()
    report = build_site(  # one edition: the lock is taken once for the whole build
        SMALL, config=CONFIG, out=out, docs_dir=tmp_path / "docs", wait=30, lang="en"
    )
    holder.join()
    assert (report.site / "index.html").is_file()


def _other_corpus(tmp_path: Path) -> Path:
    other = tmp_path / "other"
    shutil.copytree(SMALL, other)
    case = other / "studies" / "broadband-outage.yaml"
    case.write_text(case.read_text().replace("slug: broadband-outage", "slug: other-outage"))
    case.rename(other / "studies" / "other-outage.yaml")
    return other


def test_two_builds_at_once_of_different_corpora_keep_their_own_pages(tmp_path):
    """They used to share one scratch folder: both said they succeeded, one held the other's
    pages. Real processes, started together."""
    other = _other_corpus(tmp_path)
    script = (  # one edition each: every edition's pages go through the same scratch folder
        "import sys; from pathlib import Path; from generator.pipeline import build_site\n"
        "build_site(Path(sys.argv[1]), config=Path(sys.argv[2]), out=Path(sys.argv[3]),"
        " lang='en')\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(corpus), str(CONFIG), str(tmp_path / name)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for corpus, name in ((SMALL, "site-a"), (other, "site-b"), (SMALL, "site-a"))
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    assert (tmp_path / "site-a" / "cases" / "broadband-outage.html").is_file()
    assert not (tmp_path / "site-a" / "cases" / "other-outage.html").exists()
    assert (tmp_path / "site-b" / "cases" / "other-outage.html").is_file()
    assert not (tmp_path / "site-b" / "cases" / "broadband-outage.html").exists()


def test_narrative_images_beside_the_case_are_copied_into_the_site(tmp_path):
    corpus = tmp_path / "cases"
    shutil.copytree(SMALL, corpus)
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    (corpus / "studies" / "bill.png").write_bytes(png)
    case = corpus / "studies" / "broadband-outage.yaml"
    case.write_text(case.read_text() + "narrative: |\n  The bill: ![the bill](bill.png)\n")
    site = tmp_path / "site"  # the root edition, the one read below
    build_site(corpus, config=CONFIG, out=site, docs_dir=tmp_path / "docs", lang="en")
    assert (site / "cases" / "bill.png").read_bytes() == png
    assert 'src="bill.png"' in (site / "cases" / "broadband-outage.html").read_text()


def test_serve_keeps_the_last_good_site_and_shows_the_problem_in_the_browser(tmp_path):
    import socket

    corpus = tmp_path / "cases"
    shutil.copytree(SMALL, corpus)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = languages_config(tmp_path, "en")  # each rebuild one edition, not six
    command = [sys.executable, "-m", "generator.cli", "serve", "--cases", str(corpus)]
    command += ["--config", str(config), "--out", str(tmp_path / "served")]
    command += ["--port", str(port), "--interval", "0.2"]
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}/cases/broadband-outage.html"

    def until(check, what: str) -> str:
        return _until(url, check, proc, what, seconds=60)

    case = corpus / "studies" / "broadband-outage.yaml"
    good = case.read_text()
    try:
        until(lambda p: "Nine days without broadband" in p, "the first build")
        case.write_text(good.replace("title: Nine", "title: [Nine"))  # a YAML syntax error
        page = until(lambda p: "cxreport-build-error" in p, "the error banner")
        banner = page[page.index("cxreport-build-error") :][:2000]
        assert "broadband-outage.yaml:3:8: YAML syntax error" in banner, banner
        assert "Nine days without broadband" in page, "the last good page is still shown"
        case.write_text(good.replace("Nine days", "Ten days"))
        until(lambda p: "Ten days" in p and "cxreport-build-error" not in p, "the fixed build")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_case_with_utc_offsets_and_local_times_builds(tmp_path):
    """Times with an offset used to crash validate in pandas; now they are moved into the
    case's zone and every stage, down to the CSV download, works with them."""
    corpus = tmp_path / "cases"
    shutil.copytree(SMALL, corpus)
    case = corpus / "studies" / "broadband-outage.yaml"
    text = case.read_text().replace(
        "published: 2024-03-01", "published: 2024-03-01\ntimezone: Europe/London"
    )
    text = text.replace("at: 2024-02-01T09:00,", 'at: "2024-02-01T10:00:00+01:00",')
    case.write_text(text)
    site = tmp_path / "site"  # the root edition and the downloads, the ones read below
    build_site(corpus, config=CONFIG, out=site, docs_dir=tmp_path / "docs", lang="en")
    events = (site / "data" / "events.csv").read_text()
    assert "call-1,contact,2024-02-01T09:00:00+00:00" in events  # the same instant, kept
    assert "Thu 01 Feb 2024, 09:00" in (site / "cases" / "broadband-outage.html").read_text()
