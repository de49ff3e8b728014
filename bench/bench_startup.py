"""How long the command line takes before it does anything: CPU time of `cxreport --help` and
`cxreport validate` on the bundled corpus (best of N runs), the time `python -X importtime`
gives the CLI's imports, and which heavy libraries each command loads.

    python bench/bench_startup.py [RUNS]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "plotly", "mkdocs", "material", "jinja2",
         "markdown", "nh3", "babel", "pydantic", "yaml", "dask")
PROBE = """
import sys
sys.argv = ["cxreport", *{args!r}]
from generator.cli import app
try:
    app()
except SystemExit:
    pass
print("LOADED " + " ".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def cpu_seconds(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def import_report(args: list[str]) -> tuple[float, str]:
    """Total import time of the top-level imports (-X importtime) and the heavy modules loaded."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("PYTHONDONTWRITEBYTECODE")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE.format(args=args, heavy=HEAVY)],
        cwd=ROOT, capture_output=True, text=True, check=False, env=env,
    )
    total = 0
    loaded = ""
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit() and not name.startswith("  "):
                total += int(cumulative)
        elif line.startswith("LOADED"):
            loaded = line[len("LOADED "):]
    return total / 1e6, loaded


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    cxreport = str(Path(sys.executable).with_name("cxreport"))
    for args in (["--help"], ["validate"]):
        best = min(cpu_seconds([cxreport, *args]) for _ in range(runs))
        imports, loaded = import_report(args)
        print(f"cxreport {' '.join(args)}: {best:.2f} s CPU (best of {runs}); imports "
              f"{imports:.2f} s (-X importtime); loads: {loaded or 'none of ' + ', '.join(HEAVY)}")


if __name__ == "__main__":
    main()
