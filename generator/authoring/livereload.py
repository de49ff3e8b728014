"""Live reload for `cxreport serve`: every HTML page the preview sends carries a small script
(served by the preview itself, so the pages' Content-Security-Policy lets it run) and the
number of the build it comes from; the script asks the preview for its build number twice a
second and reloads the page when it differs (also when a build ended before the script ran)."""

from __future__ import annotations

VERSION_PATH = "/__cxreport/version"
SCRIPT_PATH = "/__cxreport/livereload.js"


def script_tag(version: int) -> str:
    return f'<script src="{SCRIPT_PATH}" data-version="{version}"></script>'


SCRIPT = """(function () {
  "use strict";
  if (window.__cxLiveReload) return;  // Material's instant navigation keeps this page alive
  window.__cxLiveReload = true;
  var seen = document.currentScript.getAttribute("data-version");
  function poll() {
    fetch("VERSION_PATH", { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (version) {
        if (version !== seen) { location.reload(); return; }
        setTimeout(poll, 500);
      }, function () { setTimeout(poll, 1000); });  // the preview is restarting
  }
  poll();
})();
""".replace("VERSION_PATH", VERSION_PATH)

BUILDING_PAGE = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Building…</title>"
    "</head><body><p role=\"status\">Building the site; this page opens it by itself when the "
    "build is done.</p></body></html>"
)


def with_script(page: str, version: int) -> str:
    """The page with the live-reload script just before </body> (or at its end), marked with
    the number of the build the page comes from."""
    script = script_tag(version)
    head, tag, rest = page.rpartition("</body>")
    return head + script + tag + rest if tag else page + script
