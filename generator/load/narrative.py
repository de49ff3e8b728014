"""What a narrative may embed: images beside the case, nothing from another host.

The site's CSP lets a page load only from its own origin, so an image, iframe or script from
another host would be blocked for every reader while the author never hears of it; raw HTML
beyond what the sanitiser keeps is dropped. Both are errors here, with the Markdown's line.
Local images are listed so the build copies them next to the case pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IMAGE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(?:png|jpe?g|gif|webp|avif)$", re.I)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]*)")
_REF_IMAGE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?")
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?([^\s>]+)")
_EMBED = re.compile(
    r"<(iframe|script|object|embed|frame|frameset|applet|link|style|meta|base|form)\b", re.I
)
_MEDIA = re.compile(r"<(img|video|audio|source|track|picture|input)\b([^>]*)>?", re.I)
_MEDIA_URL = re.compile(r"\b(?:src|srcset|poster|data)\s*=\s*[\"']?\s*([^\"'\s>]+)", re.I)
_ANY_URL = re.compile(r"\b(?:src|srcset|poster|data|href)\s*=\s*[\"']?\s*([^\"'\s>]+)", re.I)
_REMOTE = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://|\\\\)")
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based within the narrative
    col: int
    message: str
    warning: bool = False  # removed by the sanitiser (the page is fine, the author is told)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines outside fenced code, with inline code blanked (code is shown, not
    loaded)."""
    fence = ""
    for n, line in enumerate(text.splitlines(), 1):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield n, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def scan_narrative(text: str, folder: Path) -> tuple[list[Finding], dict[str, Path]]:
    """Problems with what the narrative embeds, and the local images it uses (name -> file)."""
    lines = list(_lines(text))
    refs = {
        m.group(1).strip().lower(): m.group(2) for _, line in lines if (m := _REF_DEF.match(line))
    }
    findings: list[Finding] = []
    images: dict[str, Path] = {}
    for n, line in lines:
        for col, url in _image_urls(line, refs):
            finding = _image_problem(url, folder, n, col)
            if finding:
                findings.append(finding)
            else:
                images[url] = folder / url
        findings += [_embed_finding(line, m, n) for m in _EMBED.finditer(line)]
    return findings, images


def _embed_finding(line: str, tag: re.Match, n: int) -> Finding:
    """An iframe, script, stylesheet... : an error when it would load from another host,
    otherwise a warning that the sanitiser removes it."""
    end = line.find(">", tag.end())
    attributes = line[tag.end() : end if end >= 0 else len(line)]
    name = tag.group(1).lower()
    for url in _ANY_URL.finditer(attributes):
        if _REMOTE.match(url.group(1)):
            return Finding(
                n,
                tag.start() + 1,
                f"<{name}> loads {url.group(1)[:80]!r} from another host, which the site's "
                "security policy blocks for every reader; link to it instead",
            )
    return Finding(
        n, tag.start() + 1, f"<{name}> is removed from the page (raw HTML is not published)", True
    )


def _image_urls(line: str, refs: dict[str, str]) -> Iterator[tuple[int, str]]:
    for m in _INLINE_IMAGE.finditer(line):
        yield m.start() + 1, m.group(1)
    for m in _REF_IMAGE.finditer(line):
        if line[m.end() : m.end() + 1] == "(":
            continue  # an inline image, seen above
        label = (m.group(2) or m.group(1)).strip().lower()
        if label in refs:
            yield m.start() + 1, refs[label]
    for m in _MEDIA.finditer(line):
        for url in _MEDIA_URL.finditer(m.group(2)):
            yield m.start() + 1, url.group(1)


def _image_problem(url: str, folder: Path, line: int, col: int) -> Finding | None:
    """An error for an image from another host or a missing image file; a warning for what
    the sanitiser removes (a `javascript:` or `data:` source, a name that is no image)."""
    if _REMOTE.match(url):
        return Finding(
            line,
            col,
            f"embeds {url[:80]!r} from another host, which the site's security policy blocks "
            "for every reader; save the image next to the case and use its file name",
        )
    if _SCHEME.match(url) or not IMAGE_FILE.match(url):
        return Finding(
            line,
            col,
            f"image {url[:80]!r} is removed from the page: use the file name of a .png, .jpg, "
            ".gif, .webp or .avif image next to the case (no folders; SVG can carry scripts)",
            warning=True,
        )
    path = folder / url
    if not path.is_file() or path.is_symlink():
        return Finding(line, col, f"image {url!r} does not exist next to the case")
    return None
