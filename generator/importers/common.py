"""Importers: public complaint and call data become company incident data.

Each importer reads a real export (CFPB complaints, a generic ticket export, a call-centre log),
normalises it column-wise with pandas, and writes a CSV beside the company's YAML, where the
loader validates it like everything else. Rows that cannot be used are counted and reported
with their line number and reason, never silently dropped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..load.slugs import slugify
from ..load.tables import INCIDENT_COLUMNS

CHUNK_ROWS = 100_000


class ImportError_(Exception):
    """The file is not what the importer expects (wrong layout, unreadable)."""


@dataclass
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows_read: int = 0
    rows_imported: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_count: int = 0
    per_company: dict[str, int] = field(default_factory=dict)
    unknown_companies: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    skipped: int = 0  # rows left out on purpose (outside --company / --since, ...)
    skipped_label: str = "outside the selection"

    def bad(self, lines: np.ndarray, reason: str, keep: int = 50) -> None:
        self.bad_count += len(lines)
        room = keep - len(self.bad_rows)
        for line in lines[: max(room, 0)]:
            self.bad_rows.append(BadRow(int(line), reason))


# ------------------------------------------------------------------ normalising values

CHANNELS = {
    "phone": "phone",
    "telephone": "phone",
    "call": "phone",
    "customer care call": "phone",
    "web": "web",
    "internet": "web",
    "online": "web",
    "web referral": "web",
    "email": "email",
    "e-mail": "email",
    "chat": "chat",
    "live chat": "chat",
    "social": "social",
    "social media": "social",
    "twitter": "social",
    "facebook": "social",
    "postal mail": "letter",
    "mail": "letter",
    "letter": "letter",
    "fax": "letter",
    "in person": "in_person",
    "store": "in_person",
    "referral": "other",
}
RESOLVED = {
    "solved": True,
    "closed": True,
    "resolved": True,
    "yes": True,
    "true": True,
    "open": False,
    "pending": False,
    "no": False,
    "false": False,
    "in progress": False,
    "unresolved": False,
}


def normalise_channel(values: pd.Series) -> pd.Series:
    key = values.fillna("").str.strip().str.lower()
    return key.map(CHANNELS).fillna("other")


def yes_no(values: pd.Series, mapping: dict[str, bool] | None = None) -> pd.Series:
    key = values.fillna("").str.strip().str.lower()
    return key.map(mapping or {"yes": True, "no": False}).astype("object")


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d-%m-%y", "%d-%m-%Y")


def parse_dates(values: pd.Series, fmt: str | None = None) -> pd.Series:
    """Dates in one known format, or (auto) the first of DATE_FORMATS that reads a sample of
    the values; values in another of those formats are still tried, one format at a time."""
    text = values.fillna("").str.strip()
    if fmt:
        return pd.to_datetime(text, format=fmt, errors="coerce")
    sample = text[text != ""].head(200)
    ranked = sorted(
        DATE_FORMATS, key=lambda f: -pd.to_datetime(sample, format=f, errors="coerce").notna().sum()
    )
    out = pd.to_datetime(text, format=ranked[0], errors="coerce")
    for candidate in ranked[1:]:
        missing = out.isna() & (text != "")
        if not missing.any():
            break
        out = out.where(
            ~missing, pd.to_datetime(text.where(missing), format=candidate, errors="coerce")
        )
    return out


# ------------------------------------------------------------------ reading CSVs


def read_chunks(
    path: Path, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """CSV rows in chunks of text columns, with each row's physical line number.

    The csv module (C) knows where each record starts even when a quoted narrative spans
    several lines, which pandas' reader does not report; memory stays bounded by the chunk.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.reader(handle)
        header = next(reader)
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not UTF-8 ({exc.reason})") from None
    except StopIteration:
        raise ImportError_(f"{path}: the file is empty") from None
    header = [h.strip() for h in header]
    with handle:
        rows: list[list[str]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        width = len(header)
        try:
            for row in reader:
                if len(row) != width:
                    row = (row + [""] * width)[:width] if row else [""] * width
                rows.append(row)
                lines.append(start)
                start = reader.line_num + 1
                if len(rows) >= chunk_rows:
                    yield pd.DataFrame(rows, columns=header, dtype=object), np.array(lines)
                    rows, lines = [], []
        except UnicodeDecodeError as exc:
            raise ImportError_(f"{path}:{start}: not UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            raise ImportError_(f"{path}:{start}: CSV cannot be read: {exc}") from None
        if rows:
            yield pd.DataFrame(rows, columns=header, dtype=object), np.array(lines)


def header_of(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle))]
    except StopIteration:
        raise ImportError_(f"{path}: the file is empty") from None
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not UTF-8 ({exc.reason})") from None


def require_columns(path: Path, header: list[str], required: list[str], what: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportError_(
            f"{path}: not a {what} file: missing column(s) {', '.join(repr(m) for m in missing)} "
            f"(found: {', '.join(header) or 'none'})"
        )


# ------------------------------------------------------------------ writing the corpus


def merge_incidents(csv_path: Path, new: pd.DataFrame, source_prefix: str) -> pd.DataFrame:
    """Replace this source's earlier rows, keep the rest, sorted by date and id."""
    if csv_path.exists():
        old = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        old = old[~old["id"].str.startswith(source_prefix)]
        new = pd.concat(
            [old, new.astype(str).replace({"None": "", "nan": "", "<NA>": ""})], ignore_index=True
        )
    else:
        new = new.astype(str).replace({"None": "", "nan": "", "<NA>": ""})
    for column in INCIDENT_COLUMNS:
        if column not in new.columns:
            new[column] = ""
    return new[INCIDENT_COLUMNS].sort_values(["date", "id"], kind="stable")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically: a half-written CSV would be read as data."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)


def link_company_file(company_yaml: Path, key: str, filename: str) -> None:
    """Point the company file at its CSV, appending one line so comments survive."""
    text = company_yaml.read_text(encoding="utf-8")
    if re.search(rf"^{key}:", text, flags=re.M):
        return
    if not text.endswith("\n"):
        text += "\n"
    company_yaml.write_text(text + f"{key}: {filename}\n", encoding="utf-8")


def company_index(corpus: Path) -> dict[str, str]:
    """Lower-cased names and aliases -> company slug, read straight from the YAML files."""
    index: dict[str, str] = {}
    for path in sorted((corpus / "companies").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        slug = data.get("slug") or path.stem
        for name in [data.get("name"), *(data.get("aliases") or []), slug]:
            if isinstance(name, str):
                index[name.strip().lower()] = slug
    return index


def write_stub_company(corpus: Path, name: str, industry: str, country: str) -> str:
    slug = slugify(name)
    path = corpus / "companies" / f"{slug}.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# yaml-language-server: $schema=../../schemas/company.schema.json\n"
            "# Created by `cxreport import` from imported data: check and complete it.\n"
            + yaml.safe_dump(
                {
                    "slug": slug,
                    "name": name.title() if name.isupper() else name,
                    "aliases": [name],
                    "industry": industry,
                    "country": country,
                },
                sort_keys=False,
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
    return slug


def write_incidents(
    corpus: Path, company_slug: str, frame: pd.DataFrame, prefix: str, report: ImportReport
) -> None:
    yaml_path = corpus / "companies" / f"{company_slug}.yaml"
    csv_path = corpus / "companies" / f"{company_slug}.incidents.csv"
    write_table(merge_incidents(csv_path, frame, prefix), csv_path)
    if yaml_path.exists():
        link_company_file(yaml_path, "incidents_file", csv_path.name)
    report.written.append(csv_path)
