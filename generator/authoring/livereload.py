"""Live reload for `cxreport serve`: every HTML page the preview sends carries a small script
(served by the preview itself, so the pages' Content-Security-Policy lets it run), the language
edition the page belongs to and that edition's build stamp; the script asks the preview for the
stamp of the edition of the page it shows (which also tells the preview which edition to build
first) and reloads the page when it differs (also when a build ended before the script ran).
The question is a long poll: the preview answers when the stamp changes (or after a while with
the same stamp), and the script asks again at once, so a page reloads as soon as its edition's
build is done, not at a poll's next turn. A hidden page (a tab in the background) asks once a
second instead and is answered at once, so that waiting questions never take up the browser's
few connections to the preview."""

from __future__ import annotations

import html

VERSION_PATH = "/__cxreport/version"
SCRIPT_PATH = "/__cxreport/livereload.js"


def script_tag(version: int, edition: str | None = None) -> str:
    return (
        f'<script src="{SCRIPT_PATH}" data-version="{version}" '
        f'data-edition="{html.escape(edition or "")}"></script>'
    )


SCRIPT = """(function () {
  "use strict";
  if (window.__cxLiveReload) return;  // Material's instant navigation keeps this page alive
  window.__cxLiveReload = true;
  var seen = document.currentScript.getAttribute("data-version");
  var edition = document.currentScript.getAttribute("data-edition");
  var asked = null, pending = null;
  function poll() {
    asked = location.pathname;
    pending = window.AbortController ? new AbortController() : null;
    // a hidden page (another tab) asks once a second and is answered at once: it holds no
    // connection (a browser opens six at most to the preview) and still reloads by itself
    var waits = !document.hidden;
    var query = "?path=" + encodeURIComponent(asked) + "&edition=" +
      encodeURIComponent(edition) + (waits ? "&seen=" + encodeURIComponent(seen) : "");
    fetch("VERSION_PATH" + query, { cache: "no-store", signal: pending && pending.signal })
      .then(function (r) { return r.text(); })
      .then(function (answer) {
        var parts = answer.split(" ");
        if (parts[0] !== edition) {  // instant navigation into another edition
          edition = parts[0];
          seen = parts[1];
        } else if (parts[1] !== seen) { location.reload(); return; }
        setTimeout(poll, waits ? 0 : 1000);
      }, function (error) {  // the page moved on (below), or the preview is restarting
        setTimeout(poll, error && error.name === "AbortError" ? 0 : 1000);
      });
  }
  function askAgain() { if (pending) { pending.abort(); pending = null; } }
  // instant navigation to another page (perhaps another edition): ask about that one now
  setInterval(function () { if (location.pathname !== asked) askAgain(); }, 250);
  document.addEventListener("visibilitychange", askAgain);
  poll();
})();
""".replace("VERSION_PATH", VERSION_PATH)

BUILDING_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Building…</title>'
    '</head><body><p role="status">Building the site; this page opens it by itself when the '
    "build is done.</p></body></html>"
)


def with_script(page: str, version: int, edition: str | None = None) -> str:
    """The page with the live-reload script just before </body> (or at its end), marked with
    its edition and the stamp of that edition's build the page comes from."""
    script = script_tag(version, edition)
    head, tag, rest = page.rpartition("</body>")
    return head + script + tag + rest if tag else page + script
