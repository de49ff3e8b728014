"""The README's tour of the CLI is real output: each command in its first console block is run
on the bundled corpus in an 80-column terminal, and the lines the README shows (up to its
"..." where it cuts the output short) are the first lines the command prints. `cxreport build`
prints its times, so its line is checked for its form only."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT

WIDTH = "80"


def tour() -> list[tuple[str, list[str]]]:
    """(command, the lines the README shows after it) of the first ```console block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```console\n(.*?)^```", text, re.S | re.M)
    assert block, "README.md has no console block"
    commands: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    for _, shown in commands:
        while shown and not shown[-1].strip():
            shown.pop()
    return commands


TOUR = tour()


def run(command: str) -> list[str]:
    words = shlex.split(command.split("|")[0])
    assert words[0] == "cxreport", command
    env = {**os.environ, "COLUMNS": WIDTH, "LINES": "50", "TERM": "dumb", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", *words[1:]],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_tour_covers_the_main_commands():
    names = {shlex.split(command)[1] for command, _ in TOUR}
    assert {"validate", "score", "explain", "build", "letter"} <= names


@pytest.mark.parametrize(
    "command,shown",
    [(c, s) for c, s in TOUR if not c.startswith("cxreport build")],
    ids=[c for c, _ in TOUR if not c.startswith("cxreport build")],
)
def test_the_readme_shows_what_the_command_prints(command, shown):
    if shown and shown[-1] == "...":
        shown = shown[:-1]
    else:  # shown whole, or cut by `| head -N`
        head = re.search(r"\|\s*head -(\d+)\s*$", command)
        assert head is None or int(head.group(1)) == len(shown), command
    printed = run(command)
    assert printed[: len(shown)] == shown, "\n".join(printed[: len(shown) + 2])



def test_the_build_line_has_the_form_build_prints():
    (line,) = [s[0] for c, s in TOUR if c == "cxreport build"]
    form = re.fullmatch(r"Built (\d+) pages into (\S+) in [\d.]+ s \((.+)\)", line)
    assert form, line
    stages = [part.split()[0] for part in form.group(3).split(", ")]
    assert stages == ["load", "metrics", "score", "editions", "search", "harden", "swap"]
