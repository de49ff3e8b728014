"""YAML reader: time to parse a large legitimate file, and to refuse hostile ones.

Run by hand: `.venv/bin/python bench/bench_yaml.py`. Hostile inputs must be refused in
milliseconds without growing memory; a large file should parse in about a second.
"""

from __future__ import annotations

import resource
import time

from generator.load.yamlfile import YamlError, parse_text


def timed(name: str, text: str) -> None:
    start = time.perf_counter()
    try:
        parse_text(text)
        outcome = "parsed"
    except YamlError as exc:
        outcome = f"refused: {exc}"[:90]
    print(f"{name:<34} {len(text):>10,} chars {time.perf_counter() - start:8.3f} s  {outcome}")


def main() -> None:
    rows = "".join(
        f"  - id: r{i}\n    date: 2020-01-{i % 28 + 1:02d}\n    channel: web\n"
        f"    issue: something went wrong {i}\n"
        for i in range(20_000)
    )
    timed("20,000 incidents (legitimate)", "incidents:\n" + rows)
    timed("100,000 nested brackets", "title: " + "[" * 100_000 + "]" * 100_000 + "\n")
    timed("self-referencing alias", "title: &x [*x]\n")
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 10) + "]"
        for n in range(8)
    ]
    timed("billion laughs (10^9 values)", "\n".join(bomb) + "\n")
    long = "a: &l " + "x" * 5000 + "\nb: [" + ", ".join(["*l"] * 150_000) + "]\n"
    timed("one 5 KB item aliased 150,000x", long)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
