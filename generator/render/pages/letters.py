"""The letters list and one page (and a .txt download) per open letter."""

from __future__ import annotations

from urllib.parse import quote

from ..letters import ComposedLetter, plain_text


def mailto(composed: ComposedLetter, text: str, limit: int = 1800) -> str:
    body = text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"
    return f"mailto:?subject={quote(composed.letter.title)}&body={quote(body)}"


def render(site) -> None:
    site.render("letters/index.md", "letters.md.j2", letters=list(site.letters.values()))
    for slug, composed in site.letters.items():
        text = plain_text(composed, site.site_url)
        site.write(f"letters/{slug}.txt", text)
        site.render(
            f"letters/{slug}.md",
            "letter.md.j2",
            c=composed,
            letter=composed.letter,
            text=text,
            mailto=mailto(composed, text),
            companies=site.corpus.companies,
            cases=site.corpus.cases,
        )
