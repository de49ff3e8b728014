"""What the scorer hands to the renderer: scores, grades and the evidence behind every point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """Scorer output. Built with ``model_construct``: the values come from validated input and
    our own arithmetic, and validating them again cost seconds at scale."""

    model_config = ConfigDict(frozen=True)


# The many small records of a case are slotted dataclasses: a hundred thousand of them are
# built in a large corpus, and pydantic's construction cost more than the scoring itself.
_record = dataclass(slots=True)  # not frozen: frozen __init__ is several times slower


@_record
class CriterionResult:
    id: str
    name: str
    category: str
    metric: str
    value: float | None
    basis: str | None  # "counted" | "stated" | None (no data)
    qualifier: str | None
    points: float
    max_points: float
    share: float | None
    applicable: bool
    failed: bool
    evidence: list[str]
    letter: str
    approximate: bool = False  # a duration counted from reconstructed times
    inferred: bool = False  # a stated figure the source gives only in words
    covered: bool = False  # the case's sources say they cover this criterion
    # Why it does not apply: "no_value", "not_covered" (the sources do not tell),
    # "unbacked_failure" (a failure no evidence backs), "superseded"; "" when it applies.
    reason: str = ""


@_record
class CategoryResult:
    id: str
    name: str
    score: float | None
    points: float
    max_points: float


@_record
class MetricValue:
    value: float | None
    basis: str
    counted: float | None
    stated: float | None
    qualifier: str | None
    evidence: list[str]
    approximate: bool = False
    inferred: bool = False


@_record
class OutageSpan:
    """One outage of a case as measure found it: the events that open and end it (an outage
    never restored ends at the case's last known event), its hours (None when a time is
    unknown), whether a time behind it is reconstructed, and whether service came back."""

    lost: str
    end: str | None
    hours: float | None
    approximate: bool
    restored: bool


@_record
class CallDay:
    """One day of a company's call centre over all its queues, as measure counted it."""

    date: dt.date
    offered: float
    abandoned: float
    share: float | None  # abandoned / offered


class CaseScore(Out):
    case: str
    company: str
    title: str
    date: dt.date
    # Where `date` comes from: "events" (the sources give the case's dates), "source" (the
    # source's publication date) or "writeup" (this writeup's date; the sources give none).
    date_basis: str
    # The date the company's recency weighting reads; None when the sources give no date.
    recency_date: dt.date | None
    score: float | None  # None: not graded (too few criteria apply)
    grade: str | None
    applicable: int  # criteria that apply
    uncapped_score: float
    capped_by: list[str]
    metrics: dict[str, float | None]
    metric_details: dict[str, MetricValue]
    categories: list[CategoryResult]
    criteria: list[CriterionResult]
    # what the timeline chart draws, handed over from measure (not in the published scores)
    outages: list[OutageSpan] = Field(default_factory=list, exclude=True)

    @property
    def failed(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.failed]


@_record
class CompanyFigure:
    """One company metric as measured: the long table's row, with its industry's median."""

    metric: str
    channel: str
    period: str | None
    value: float | None
    unit: str
    n: int
    industry_median: float | None
    industry_companies: int
    lo: float | None = None  # its 95% interval (Wilson for shares, exact for quantiles)
    hi: float | None = None


@_record
class CompanyCriterionResult:
    """A company criterion: the figure it read, the rows behind it, and the points."""

    id: str
    name: str
    category: str
    metric: str
    channel: str
    value: float | None
    unit: str
    n: int
    period: str | None
    industry_median: float | None
    industry_companies: int
    points: float
    max_points: float
    share: float | None
    applicable: bool
    failed: bool
    status: str  # "scored" | "no_data" | "incomplete" | "too_few" | "superseded"
    filter: str
    letter: str
    lo: float | None = None  # the figure's 95% interval
    hi: float | None = None


@_record
class SourceClock:
    """A company's rows from one source, and the days the source's clock runs between."""

    source: str | None  # None: the company's own file
    rows: int
    first_day: str
    last_day: str
    as_of: str  # the most recent days are counted back from this day


@_record
class MixRow:
    field: str  # "product" or "issue"
    topic: str | None  # None: every other topic together
    complaints: int
    share: float
    industry_share: float | None
    topics: int


class CompanyScore(Out):
    company: str
    name: str
    industry: str
    cases: list[str]  # every case of the company, graded or not
    # Graded cases' recency weights, and the day their ages are counted back from.
    case_weights: dict[str, float]
    recency_reference: dt.date | None
    score: float | None
    grade: str | None
    # The two parts of the grade and what each added to the score (points out of 100).
    case_part: float | None
    incident_part: float | None
    contributions: dict[str, float]
    raw_score: float | None
    weight: float
    complaints: int
    calls_offered: int
    sources: list[str]  # the incident rows' `source` values (empty: the company's own file)
    clocks: list[SourceClock]
    not_rated: str | None  # why there is no grade: "no_evidence" | "too_few" | "uncertain"
    # The score and grade with every figure at the worse and at the better end of its 95%
    # interval (the case part held): the range the grade rests on.
    score_range: tuple[float, float] | None
    grade_range: tuple[str, str] | None
    trend: float | None
    categories: dict[str, float | None]
    incident_categories: dict[str, float | None]
    criteria: list[CompanyCriterionResult]
    figures: list[CompanyFigure]
    mix: list[MixRow]
    channels: dict[str, int]
    # what the call-centre chart draws, handed over from measure (not in the published scores)
    calls_daily: list[CallDay] = Field(default_factory=list, exclude=True)

    @property
    def failed(self) -> list[CompanyCriterionResult]:
        return [c for c in self.criteria if c.failed]

    def figure(self, metric: str, channel: str = "all") -> CompanyFigure | None:
        for f in self.figures:
            if f.metric == metric and f.channel == channel:
                return f
        return None


class Scoreboard(Out):
    rubric_version: str
    cases: list[CaseScore]
    companies: list[CompanyScore]

    def case(self, slug: str) -> CaseScore:
        for c in self.cases:
            if c.case == slug:
                return c
        raise KeyError(slug)

    def league(self) -> list[CompanyScore]:
        """Companies best first; ungraded (not rated) ones last; ties by name, then slug."""
        return sorted(
            self.companies,
            key=lambda c: (c.score is None, -(c.score or 0), c.name.lower(), c.company),
        )

    def company(self, slug: str) -> CompanyScore:
        for c in self.companies:
            if c.company == slug:
                return c
        raise KeyError(slug)
