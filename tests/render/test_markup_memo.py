"""render/markup.py remembers its two pure functions' results by their exact arguments (each
edition renders the same labels and narratives): a remembered result is always what the
function gives for those arguments, never one for an equal-looking value of another kind or
another link base, and the memo stays bounded."""

from __future__ import annotations

from markupsafe import Markup

from generator.render import markup
from generator.render.markup import markdown_text, sanitise_markdown


class Html(str):
    """A str that says it is HTML already (escape() trusts its __html__)."""

    def __html__(self) -> str:
        return str(self)


def test_markdown_text_never_serves_a_str_result_for_markup():
    text = "*a* <b>"
    escaped = markdown_text(text)
    assert str(escaped) == "&#42;a&#42; &lt;b&gt;"
    assert markdown_text(text) is escaped  # remembered
    trusted = Markup(text)
    assert markdown_text(trusted) is trusted  # equal text and hash, but Markup passes as it is
    assert str(markdown_text(Html(text))) == "&#42;a&#42; <b>"  # its own __html__, not the memo's
    assert markdown_text(3) == 3


def test_markdown_text_remembers_nothing_stale_past_its_limit(monkeypatch):
    monkeypatch.setattr(markup, "_MEMO_LIMIT", 4)
    monkeypatch.setattr(markup, "_INERT", {})
    texts = [f"- item {n} [x]" for n in range(10)] * 2 + ["# head", "1. one", "  "]
    for text in texts:
        assert markdown_text(text) == markup._inert(text)
        assert len(markup._INERT) <= 4


def test_sanitised_markdown_is_keyed_by_text_and_link_base(monkeypatch):
    monkeypatch.setattr(markup, "_SANITISED", {})
    text = "See [the other case](other-case.md#when) and <script>x()</script>."
    here = sanitise_markdown(text)
    there = sanitise_markdown(text, "../cases/")
    assert 'href="other-case.html#when"' in here
    assert 'href="../cases/other-case.html#when"' in there
    assert "<script>" not in here and "<script>" not in there
    assert sanitise_markdown(text) is here  # remembered
    assert sanitise_markdown("Another *text*.") == Markup("<p>Another <em>text</em>.</p>")
    monkeypatch.setattr(markup, "_MEMO_LIMIT", 1)
    for n in range(3):
        assert sanitise_markdown(f"**{n}**") == Markup(f"<p><strong>{n}</strong></p>")
        assert len(markup._SANITISED) <= 1


def test_text_in_another_language_is_marked_as_markup_format_marks_it():
    from generator.render.case_text import in_language

    for text, language in [
        ("A <b> & *c*", "en"),
        (Markup("<em>trusted</em>"), "de"),
        ("x", 'en" onclick="y'),
        ("- a list", "he"),
    ]:
        safe = text if isinstance(text, Markup) else markdown_text(text)
        expected = Markup('<span lang="{}">{}</span>').format(language, safe)
        assert in_language(text, language, "sv") == expected
        assert in_language(text, "sv", "sv") == Markup(safe)
