"""Issue 22: a chart box keeps its height from the drawing made at build time to plotly's
interactive chart, on a phone and on a desktop, and the drawing follows the colour scheme.

Real Chromium on the bundled site (the harness of tests/publish/test_browser.py). Each chart
box is measured three times: with scripts off (what a reader sees before any script runs),
with the plotly bundle held back (cxreport.js has run, plotly has not), and after plotly has
drawn and settled. A box that changes height between them moves everything below it.
"""

from __future__ import annotations

import pytest

from tests.publish.test_browser import (
    ARGS,
    CHROMIUM,
    ROOT,
    _browser_missing,
    _build,
    _require,
    _serve,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
PAGES = [
    "/index.html",
    "/cases/index.html",
    "/cases/fiber-upgrade.html",
    "/companies/comcast.html",
    "/companies/anonymous-bank.html",
]
TOLERANCE = 2  # px
TIMEOUT = 15000


@pytest.fixture(scope="module")
def browser():
    _require(_browser_missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chart-boxes")
    httpd, url = _serve(tmp / "site")
    try:
        _build(tmp, ROOT / "cases", url + "/")
        yield url
    finally:
        httpd.shutdown()


def _page(browser, viewport: dict, **kw):
    # the site's Content-Security-Policy forbids eval, which playwright's waits use
    context = browser.new_context(viewport=viewport, bypass_csp=True, **kw)
    page = context.new_page()
    page.cx_errors = []
    page.on("pageerror", lambda e: page.cx_errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.cx_errors.append(m.text))
    return page


# Each chart box: its height, and the size of what is drawn in it (the build-time drawing, or
# plotly's SVG once it has taken over).
BOXES = """() => [...document.querySelectorAll('.cx-chart')].map(el => {
    const still = el.querySelector(':scope > svg.cx-static');
    const live = el.querySelector('svg.main-svg');
    const size = s => s ? [s.getBoundingClientRect().width, s.getBoundingClientRect().height]
                        : null;
    return {id: el.id, box: el.getBoundingClientRect().height,
            still: size(still), live: size(live)};
})"""


def _boxes(page) -> dict[str, dict]:
    return {b["id"]: b for b in page.evaluate(BOXES)}


def _static_boxes(browser, server: str, path: str, viewport: dict) -> dict[str, dict]:
    page = _page(browser, viewport, java_script_enabled=False)
    try:
        page.goto(server + path, wait_until="load")
        return _boxes(page)
    finally:
        page.context.close()


def _draw_every_chart(page) -> None:
    for chart in page.locator(".cx-chart").all():
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "el => el.getAttribute('data-rendered') === 'true'",
            arg=chart.element_handle(),
            timeout=TIMEOUT,
        )
    # the legend fitting relayouts have finished once no chart is fitting any more
    page.wait_for_function(
        "[...document.querySelectorAll('.cx-chart')].every(el => !el.cxFitting)",
        timeout=TIMEOUT,
    )


def _held_and_drawn(browser, server: str, path: str, viewport: dict):
    """The boxes while the plotly bundle is held back, then once plotly has drawn them all."""
    page = _page(browser, viewport)
    held = []
    try:
        page.route("**/plotly.min.js", lambda route: held.append(route))
        page.goto(server + path, wait_until="load")
        page.locator(".cx-chart").first.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('script[src$=\"plotly.min.js\"]')")
        before = _boxes(page)
        assert held, "the page never asked for plotly.js"
        held[0].continue_()
        _draw_every_chart(page)
        after = _boxes(page)
        assert page.cx_errors == [], page.cx_errors
        return before, after
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES)
def test_chart_boxes_keep_their_height_when_plotly_takes_over(browser, server, path, viewport):
    static = _static_boxes(browser, server, path, viewport)
    held, drawn = _held_and_drawn(browser, server, path, viewport)
    assert static and set(static) == set(held) == set(drawn), path
    for chart in static:  # the figures, for the record (pytest -s)
        heights = [round(b[chart]["box"], 1) for b in (static, held, drawn)]
        print(chart, viewport["width"], "px wide: no script, held, drawn:", *heights)
    for chart, s in static.items():
        # the drawing shows before any script runs, and while the bundle is on its way
        for state in (s, held[chart]):
            assert state["still"] and min(state["still"]) > 100, (chart, state)
        live = drawn[chart]
        assert live["still"] is None and live["live"], (chart, live)  # plotly took its place
        assert abs(live["box"] - s["box"]) <= TOLERANCE, (chart, s["box"], live["box"])
        assert abs(held[chart]["box"] - s["box"]) <= TOLERANCE, (chart, s, held[chart])
        # plotly's chart fills the box: no band left empty under it
        assert abs(live["live"][1] - live["box"]) <= TOLERANCE, (chart, live)


def test_a_drawn_chart_follows_its_box_when_the_screen_widens(browser, server):
    """A phone turned on its side crosses the width where the box's height changes (its
    legend takes fewer rows): plotly's chart follows the box and still fills it."""
    page = _page(browser, PHONE)
    try:
        page.goto(server + "/cases/fiber-upgrade.html", wait_until="load")
        _draw_every_chart(page)
        chart = page.locator("#chart-timeline-fiber-upgrade")
        narrow = _boxes(page)[chart.get_attribute("id")]
        page.set_viewport_size(DESKTOP)
        page.wait_for_function(
            "el => Math.abs(el._fullLayout.height - el.clientHeight) < 1 && !el.cxFitting",
            arg=chart.element_handle(),
            timeout=TIMEOUT,
        )
        wide = _boxes(page)[chart.get_attribute("id")]
        assert page.cx_errors == [], page.cx_errors
    finally:
        page.context.close()
    assert wide["box"] < narrow["box"] - 50, (narrow, wide)  # the legend's rows, fewer
    for seen in (narrow, wide):
        assert abs(seen["live"][1] - seen["box"]) <= TOLERANCE, seen


# --------------------------------------------------------------------------- dark mode

# The drawing's colours as the browser paints them, and the page's own: the text and grid of
# the first chart's drawing, Material's text colour (--md-default-fg-color) and background.
COLOURS = """() => {
    const svg = document.querySelector('.cx-chart > svg.cx-static');
    const probe = document.createElement('span');
    probe.style.color = 'var(--md-default-fg-color)';
    document.querySelector('.md-typeset').appendChild(probe);
    const out = {
        scheme: document.body.getAttribute('data-md-color-scheme'),
        text: getComputedStyle(svg.querySelector('text')).fill,
        grid: getComputedStyle(svg.querySelector('.cx-grid')).stroke,
        material: getComputedStyle(probe).color,
        background: getComputedStyle(document.body).backgroundColor,
    };
    probe.remove();
    return out;
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    """A computed CSS colour, rgb() or rgba(), as red, green, blue (0-255) and alpha."""
    parts = [float(p) for p in css[css.index("(") + 1 : -1].replace("/", ",").split(",")]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: str, bg: str) -> float:
    """WCAG contrast of a colour (its alpha blended over the background) on the background."""
    *front, alpha = _rgba(fg)
    back = _rgba(bg)[:3]
    seen = tuple(alpha * f + (1 - alpha) * b for f, b in zip(front, back, strict=True))
    hi, lo = sorted((_luminance(seen), _luminance(back)), reverse=True)  # type: ignore[arg-type]
    return (hi + 0.05) / (lo + 0.05)


def _drawing_colours(browser, server: str, scheme: str) -> dict:
    page = _page(browser, DESKTOP, color_scheme=scheme)
    try:
        page.route("**/plotly.min.js", lambda route: route.abort())  # the drawing stays
        page.goto(server + "/companies/anonymous-bank.html", wait_until="load")
        return page.evaluate(COLOURS)
    finally:
        page.context.close()


def test_drawing_takes_material_palette_in_light_and_slate(browser, server):
    """A reader whose system is dark gets Material's slate scheme; the drawing's text is the
    scheme's own text colour (readable on its background) and its grid follows, in both."""
    light = _drawing_colours(browser, server, "light")
    dark = _drawing_colours(browser, server, "dark")
    assert (light["scheme"], dark["scheme"]) == ("default", "slate")
    for seen in (light, dark):
        assert seen["text"] == seen["material"], seen
        assert _contrast(seen["text"], seen["background"]) >= 4.5, seen
        assert _rgba(seen["grid"])[:3] == _rgba(seen["text"])[:3], seen  # a faint text colour
    assert _luminance(_rgba(dark["text"])[:3]) > _luminance(_rgba(light["text"])[:3])
    assert _luminance(_rgba(dark["background"])[:3]) < 0.1  # slate: a dark page under it
