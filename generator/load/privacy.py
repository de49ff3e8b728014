"""Privacy lint: phone numbers, e-mail addresses and what look like personal names.

A consumer-advocacy site names companies, not the customers or the employees in their stories.
These are warnings (errors with `cxreport validate --strict`); a name the case lists in
`consent.public_names` (an official, a brand, the author who published it) is not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# at least nine digits in groups, as phone numbers are written; not ISO dates or times
PHONE = re.compile(
    r"(?<![\w/-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3}[\s.-]?\d{3,4}(?![\w/-])"
)
HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?")
FIRST_NAMES = (  # noqa: SIM905 - a word list reads better as words
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
    "Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry "
    "Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy "
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah "
    "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma "
    "Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria "
    "Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn "
    "Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances "
    "Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle "
    "Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori"
).split()
FULL_NAME = re.compile(r"\b(?:" + "|".join(FIRST_NAMES) + r")\s+[A-Z][a-z]{2,}\b")


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based within the text
    col: int
    kind: str
    text: str

    @property
    def message(self) -> str:
        what = {"email": "an e-mail address", "phone": "a phone number", "name": "a personal name"}[
            self.kind
        ]
        return (
            f"looks like {what} ({self.text!r}); remove it, or list it in "
            "consent.public_names if it is public"
        )


def scan(text: str, public: list[str]) -> Iterator[Finding]:
    allowed = {p.strip().lower() for p in public}
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for kind, pattern in (
        ("email", EMAIL),
        ("phone", PHONE),
        ("name", HONORIFIC),
        ("name", FULL_NAME),
    ):
        for match in pattern.finditer(text):
            found = match.group(0)
            if any(found.lower() in a or a in found.lower() for a in allowed):
                continue
            line = max(i for i, s in enumerate(starts) if s <= match.start())
            yield Finding(line + 1, match.start() - starts[line] + 1, kind, found)
