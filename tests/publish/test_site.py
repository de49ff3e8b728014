"""The built site, through the real `mkdocs build --strict`, asserted with BeautifulSoup."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.measure import REGISTRY
from generator.pipeline import BuildError, build_site
from generator.resources import TEMPLATES

from ..conftest import check_golden
from .test_fast_build import digest

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
SMALL = ROOT / "tests" / "fixtures" / "small"
CONFIG = ROOT / "mkdocs.yml"

pytestmark = pytest.mark.slow


def build_into(tmp: Path, cases: Path = CASES, **kw) -> Path:
    out = tmp / "site"
    build_site(cases, config=CONFIG, out=out, docs_dir=tmp / "docs", **kw)
    return out


@pytest.fixture(scope="module")
def site(bundled_site) -> Path:
    return bundled_site


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def previous_site(site: Path, tmp: Path) -> Path:
    """A complete earlier build of the bundled corpus, in every edition, owned by cxreport: a
    copy of the shared site (what a failed build must leave as it was)."""
    out = tmp / "site"
    shutil.copytree(site, out)
    return out


def languages_config(tmp: Path, *codes: str) -> Path:
    """mkdocs.yml with fewer editions (its other settings as they are), beside its own docs
    and overrides scratch in ``tmp``."""
    config = tmp / "mkdocs.yml"
    text = CONFIG.read_text(encoding="utf-8")
    every = "languages: [en, sv, it, he, ro, ru]"
    assert every in text, "mkdocs.yml lists its languages differently; update the tests"
    config.write_text(text.replace(every, f"languages: [{', '.join(codes)}]"), encoding="utf-8")
    return config


def test_pages_exist(site):
    for rel in [
        "index.html",
        "cases/index.html",
        "cases/fiber-upgrade.html",
        "cases/lost-wallet-bank.html",
        "cases/widow-billing-name.html",
        "companies/index.html",
        "companies/comcast.html",
        "companies/regional-telco.html",
        "letters/index.html",
        "letters/hated-customer-service.html",
        "letters/hated-customer-service.txt",
        "methodology.html",
        "data/index.html",
        "data/cases.csv",
        "data/companies.csv",
        "data/scores.json",
        "data/events.csv",
        "feed.xml",
        "tags.html",
        "data-format.html",
        "search.html",
        "pagefind/pagefind-entry.json",
    ]:
        assert (site / rel).is_file(), rel


def test_case_headline_numbers_mark_stated_and_counted(site):
    page = soup(site / "cases" / "fiber-upgrade.html")
    items = {
        li.select_one(".cx-figure-label").get_text(): li
        for li in page.select(".cx-headline li")
        if li.select_one(".cx-figure-label")
    }

    def figure(label):
        li = items[label]
        basis = li.select_one(".cx-basis")
        return li.select_one(".cx-figure-value").get_text(), basis.get_text() if basis else None

    assert figure("hours without dial tone") == ("112", "stated")
    assert figure("contacts") == ("22", "stated")
    assert figure("employees") == ("at least 50", "stated")
    assert figure("hours on the phone") == ("at least 12", "stated")
    assert figure("missed deadlines") == ("3", "stated")
    assert figure("times support was unavailable") == ("3", "counted")
    assert "needed to get it fixed" in page.select_one(".cx-headline").get_text()


def test_evidence_links_resolve_to_events_on_the_page(site):
    for name in ("fiber-upgrade", "lost-wallet-bank", "widow-billing-name"):
        page = soup(site / "cases" / f"{name}.html")
        ids = {el["id"] for el in page.select("[id]")}
        links = page.select("a.cx-evidence")
        assert links or name == "widow-billing-name"
        for a in links:
            assert a["href"].startswith("#ev-") and a["href"][1:] in ids
    fiber = soup(site / "cases" / "fiber-upgrade.html")
    row = fiber.select_one("#crit-missed-deadlines")
    assert [a.get_text() for a in row.select("a.cx-evidence")] == [  # labels, not slugs
        "switch day missed",
        "second deadline missed",
        "third deadline missed",
    ]
    assert "failed" in row.get_text() and "cx-failed" in row["class"]


def _internal_targets(site: Path):
    site = site.resolve()
    for page in sorted(site.rglob("*.html")):
        doc = soup(page)
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for el in doc.find_all(tag):
                if tag == "link" and set(el.get("rel", [])) & {"canonical", "alternate"}:
                    continue  # names the page's public address; the browser loads nothing
                url = el.get(attr)
                if not url:
                    continue
                parts = urlsplit(url)
                if parts.scheme or url.startswith("//"):
                    yield page, tag, url, None, None
                    continue
                # 404.html links from the site root (site_url's path is "/")
                base = site if parts.path.startswith("/") else page.parent
                path = unquote(parts.path).lstrip("/")
                target = (base / path).resolve() if parts.path else page
                yield page, tag, url, target, parts.fragment


def test_every_internal_link_and_anchor_resolves(site):
    ids_cache: dict[Path, set[str]] = {}
    broken = []
    for page, _tag, url, target, fragment in _internal_targets(site):
        if target is None:
            continue
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{page.relative_to(site)}: {url}")
            continue
        if fragment and target.suffix == ".html":
            if target not in ids_cache:
                ids_cache[target] = {el["id"] for el in soup(target).select("[id]")}
            if fragment not in ids_cache[target]:
                broken.append(f"{page.relative_to(site)}: {url} (no #{fragment})")
    assert not broken, "\n".join(broken[:30])


def test_nothing_loads_from_another_host(site):
    outside = [
        (str(page.relative_to(site)), url)
        for page, tag, url, target, _ in _internal_targets(site)
        if target is None and tag != "a"
    ]
    assert outside == []
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "@import url(http" not in css and "fonts.googleapis" not in css


def test_plotly_is_shipped_once_and_never_inlined(site):
    bundles = list(site.rglob("plotly*.js"))
    assert [p.name for p in bundles] == ["plotly.min.js"]
    assert bundles[0].stat().st_size > 1_000_000
    for page in site.rglob("*.html"):
        assert page.stat().st_size < 500_000, page
        doc = soup(page)
        for script in doc.find_all("script", src=False):
            assert "plotly.js v" not in script.get_text()


def test_charts_have_fixed_ids_and_json_figures(site):
    page = soup(site / "cases" / "fiber-upgrade.html")
    chart = page.select_one("#chart-timeline-fiber-upgrade")
    figure = json.loads(chart["data-figure"])
    ids = {cd for trace in figure["data"] for cd in trace.get("customdata", [])}
    assert {"dial-tone-cut", "call-escalation-manager", "regulator-complaint"} <= ids
    assert "template" not in figure["layout"]
    home = soup(site / "index.html")
    assert home.select_one("#chart-grades-by-industry")


def test_navigation_does_not_list_every_case(site):
    page = soup(site / "cases" / "fiber-upgrade.html")
    nav = page.select_one("nav.md-nav--primary")
    assert nav is not None
    assert "lost-wallet-bank" not in str(nav)
    assert "widow-billing-name" not in str(nav)


def test_open_data_files(site):
    rows = list(csv.DictReader((site / "data" / "cases.csv").open(encoding="utf-8")))
    assert {r["case"] for r in rows} == {"fiber-upgrade", "lost-wallet-bank", "widow-billing-name"}
    fiber = next(r for r in rows if r["case"] == "fiber-upgrade")
    assert float(fiber["hours_without_service"]) == 112
    scores = json.loads((site / "data" / "scores.json").read_text(encoding="utf-8"))
    assert {c["case"] for c in scores["cases"]} == {r["case"] for r in rows}
    companies = list(csv.DictReader((site / "data" / "companies.csv").open(encoding="utf-8")))
    assert len(companies) == 7
    events = list(csv.DictReader((site / "data" / "events.csv").open(encoding="utf-8")))
    assert len(events) == 39


def test_methodology_lists_every_criterion(site):
    page = soup(site / "methodology.html")
    rubric = json.loads((site / "data" / "rubric.json").read_text(encoding="utf-8"))
    for cat in rubric["categories"]:
        for crit in cat["criteria"]:
            block = page.select_one(f"#crit-{crit['id']}")
            assert block is not None, crit["id"]
            assert REGISTRY[crit["metric"]].description in block.get_text()
            if "_" in crit["metric"]:
                assert crit["metric"] not in block.get_text()  # no internal codes
            assert crit["source"] in block.get_text()


def test_company_page_without_evidence_is_not_rated(site):
    page = soup(site / "companies" / "att.html")
    assert "NR — not rated (no documented case and no incident data)" in page.get_text()
    assert page.select_one(".cx-grade-none") is not None
    telco = soup(site / "companies" / "regional-telco.html")
    assert "Live 24/7 tech support" in telco.get_text()
    assert "state board of public utilities" in telco.get_text()


def test_letter_names_all_addressees_and_links_cases(site):
    page = soup(site / "letters" / "hated-customer-service.html")
    to = page.select_one(".cx-letter-to").get_text()
    for name in ("Comcast", "AT&T", "Dish Network", "JPMorgan Chase", "Bank of America"):
        assert name in to
    assert page.select_one('a[href^="mailto:"]') is not None
    cites = [a["href"] for a in page.select(".cx-cite a")]
    assert any(h.startswith("../cases/lost-wallet-bank.html#") for h in cites)
    assert "Shame on you" in page.get_text()


def test_feed_is_valid_atom(site):
    root = ET.parse(site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 3
    assert all(e.find("a:link", ns).get("href").endswith(".html") for e in entries)


def test_social_meta_tags(site):
    page = soup(site / "cases" / "fiber-upgrade.html")
    assert page.select_one('meta[property="og:title"]')["content"].startswith("112 hours")
    assert "22 calls" in page.select_one('meta[property="og:description"]')["content"]
    assert page.select_one('meta[name="twitter:card"]') is not None


def test_small_corpus_golden_markdown(tmp_path):
    build_into(tmp_path, SMALL, lang="en")  # the root edition's pages, the ones compared
    docs = tmp_path / "docs"
    for rel in [
        "index.md",
        "cases/broadband-outage.md",
        "companies/acme-telecom.md",
        "letters/to-acme.md",
        "data/cases.csv",
    ]:
        check_golden(
            ROOT / "tests" / "golden" / "small" / rel, (docs / rel).read_text(encoding="utf-8")
        )


def test_two_builds_are_byte_identical(site, tmp_path):
    """The shared site (the command line, in a child process) and a build in this process."""
    assert digest(build_into(tmp_path)) == digest(site)


def test_broken_template_leaves_previous_site_intact(site, tmp_path):
    out = previous_site(site, tmp_path)
    before = digest(out)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    case = templates / "case.md.j2"
    case.write_text(case.read_text() + "\n{{ no_such_variable }}\n")
    with pytest.raises(BuildError) as info:  # one edition, in this process (the failure of
        build_into(tmp_path, templates=templates, lang="en")  # a worker's edition: below)
    assert "case.md.j2" in str(info.value) and "no_such_variable" in str(info.value)
    assert digest(out) == before


def test_strict_mkdocs_failure_leaves_previous_site_intact(site, tmp_path):
    """mkdocs fails in a nested edition only (the link is in the Hebrew home page alone; the
    root edition builds): the build fails as a whole, the site is as it was, no staging left."""
    out = previous_site(site, tmp_path)
    before = digest(out)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    home = templates / "home.md.j2"
    broken = '{% if edition_lang == "he" %}[a broken link](missing-page.md){% endif %}'
    home.write_text(home.read_text() + "\n" + broken + "\n")
    config = languages_config(tmp_path, "en", "he")
    with pytest.raises(BuildError) as info:
        build_site(CASES, config=config, out=out, docs_dir=tmp_path / "docs", templates=templates)
    assert "missing-page.md" in str(info.value)
    assert digest(out) == before
    assert not list(tmp_path.glob(".site.building-*"))


def test_build_killed_midway_leaves_a_complete_site(site, tmp_path):
    out = previous_site(site, tmp_path)
    before = digest(out)
    cmd = [
        sys.executable,
        "-m",
        "generator.cli",
        "build",
        "--cases",
        str(CASES),
        "--config",
        str(CONFIG),
        "--out",
        str(out),
        "--quiet",
    ]
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen(cmd, cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = digest(out)
        # either the old site or a complete new one (identical, since builds are reproducible)
        assert now == before
    # the next build (one edition, replaced in place) clears what the killed ones left behind
    build_into(tmp_path, lang="en")
    assert not list(tmp_path.glob(".site.building-*"))
    assert digest(out) == before


def test_cli_build_reports_errors_without_traceback(site, corpus, tmp_path):
    out = previous_site(site, tmp_path)
    before = digest(out)
    (corpus / "studies" / "bad.yaml").write_text("slug: bad\ntitle: [oops\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "build",
            "--cases",
            str(corpus),
            "--config",
            str(CONFIG),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "bad.yaml:3:1: YAML syntax error" in result.stderr
    assert "previous site was left as it was" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(out) == before


def test_same_config_builds_with_zensical(tmp_path):
    """Future-proofing: Zensical, Material's successor, reads the same mkdocs.yml."""
    zensical = shutil.which("zensical") or str(Path(sys.executable).parent / "zensical")
    if not Path(zensical).exists():
        pytest.skip("zensical is not installed (pip install zensical)")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(CONFIG, project / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", project / "templates")
    build_site(CASES, config=project / "mkdocs.yml", out=tmp_path / "mkdocs-site")
    result = subprocess.run(
        [zensical, "build"], cwd=project, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = soup(project / "site" / "cases" / "fiber-upgrade.html")
    assert page.select_one("#chart-timeline-fiber-upgrade") is not None
    assert (project / "site" / "assets" / "javascripts" / "plotly.min.js").exists()


def test_serve_rebuilds_when_a_case_changes(corpus, tmp_path):
    """The preview of the bundled corpus (its English edition: the other editions' builds are
    the same code, and every edition is built above) rebuilds after an edit."""
    import socket
    import urllib.request

    config = languages_config(tmp_path, "en")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "served"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            "--cases",
            str(corpus),
            "--config",
            str(config),
            "--out",
            str(out),
            "--port",
            str(port),
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/cases/fiber-upgrade.html"

    def fetch() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")

    try:
        deadline = time.time() + 300  # a limit on waiting, not a speed target
        while True:
            try:
                page = fetch()
            except OSError:
                page = ""
            if "112 hours without a dial tone" in page:
                break
            # until the first build is done the preview answers with a page that waits for it
            assert not page or "Building the site" in page, page[:300]
            assert time.time() < deadline, "the preview server did not come up"
            time.sleep(0.3)
        # the live-reload script, with the number of the build the page comes from
        live = '<script src="/__cxreport/livereload.js" data-version="'
        assert live in page and page.index(live) > page.index("</footer>")
        case = corpus / "studies" / "fiber-upgrade.yaml"
        case.write_text(
            case.read_text().replace(
                "title: 112 hours without a dial tone after a fiber upgrade",
                "title: One hundred and twelve hours without a dial tone",
            )
        )
        deadline = time.time() + 300
        while "One hundred and twelve hours" not in fetch():
            assert time.time() < deadline, "the site was not rebuilt after the change"
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
