"""Hardening of the finished HTML: each page's CSP pins the page's own inline scripts."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_CSP_INLINE = "script-src 'self' 'unsafe-inline'"


def pin_inline_scripts(site: Path) -> None:
    """Swap 'unsafe-inline' in each page's CSP for the hashes of the page's own inline scripts.

    Done after mkdocs, on the finished HTML: only scripts the theme wrote are there to hash;
    author text never reaches a page unescaped, and if it did it would not match a hash."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if _CSP_INLINE not in html:
            continue
        hashes = sorted(
            {
                "'sha256-"
                + base64.b64encode(hashlib.sha256(m["body"].encode()).digest()).decode()
                + "'"
                for m in _INLINE_SCRIPT.finditer(html)
                if "src=" not in m["attrs"] and "application/json" not in m["attrs"]
            }
        )
        page.write_text(
            html.replace(_CSP_INLINE, " ".join(["script-src 'self'", *hashes]), 1), encoding="utf-8"
        )
