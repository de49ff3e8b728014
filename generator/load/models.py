"""Typed models: the one source of truth for what authors may write.

The JSON Schemas in ``schemas/`` and the field tables in the docs are generated from these
classes (``cxreport schema``); a test fails when the committed copies drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .slugs import SLUG_PATTERN

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=80),
    Field(description="Lower-case letters, digits and single hyphens, e.g. `fiber-upgrade-2019`."),
]
EventId = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=80),
    Field(description="Unique within the case; used as the anchor of the event on the site."),
]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
NonNegative = Annotated[float, Field(ge=0)]


def _http_url(value: str) -> str:
    """Only web links: a `javascript:` or `data:` URL in a source would run in a reader's page."""
    lowered = value.strip().lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")):
        raise ValueError("must be an http:// or https:// address")
    if any(ch.isspace() for ch in value.strip()) or len(value) > 2000:
        raise ValueError("must be a single web address without spaces")
    return value.strip()


WebUrl = Annotated[str, AfterValidator(_http_url)]


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    """A date as midnight of that day; a datetime as it is (the one place this is decided)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


class Model(BaseModel):
    """Shared settings: unknown fields are errors, so a typo never silently vanishes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- shared pieces


class Source(Model):
    """Where a case's facts come from; every case cites at least one."""

    title: ShortText
    publisher: ShortText | None = None
    url: WebUrl | None = Field(None, description="Link to the article, if it is online.")
    date: dt.date | None = Field(None, description="Publication date, if known.")
    language: str | None = Field(None, description="Language of the source, e.g. `en`, `sv`.")
    note: str | None = Field(None, description="How the source was used, e.g. a translation.")


Channel = Literal["phone", "web", "chat", "email", "social", "letter", "in_person", "other"]


# --------------------------------------------------------------------------- companies


class Regulator(Model):
    """A body a customer can escalate to."""

    name: ShortText
    url: WebUrl | None = None
    jurisdiction: str | None = None


class Leader(Model):
    """Who open letters are addressed to: a role, and a name only for public office-holders."""

    role: ShortText
    name: ShortText | None = None


class AdvertisedPromise(Model):
    """What the company's marketing promises; scoring compares it with what cases observed."""

    text: ShortText
    kind: Literal["support_hours", "guarantee", "response_time", "price", "other"] = "other"
    hours: str | None = Field(None, description="Advertised availability, e.g. `24/7`.")
    channel: Channel | None = None
    source: str | None = None


class CompanySize(Model):
    customers: int = Field(gt=0, le=10_000_000_000, description="Number of customers.")
    as_of: dt.date | None = None
    source: str | None = None


class Incident(Model):
    """One complaint or contact from a company's incident data (inline or a CSV row)."""

    id: str = Field(
        min_length=1, max_length=80, description="The row's id in its source (unique per source)."
    )
    source: str | None = Field(
        None,
        max_length=40,
        description="Where the row comes from, e.g. `cfpb`, `fcc-tickets`, `twitter`; "
        "(source, id) identifies a row across imports.",
    )
    date: dt.date
    channel: Channel = "other"
    product: str | None = Field(None, max_length=200, description="Product or service concerned.")
    issue: str | None = Field(None, max_length=500)
    reply_minutes: NonNegative | None = Field(
        None, le=5_256_000, description="Minutes from the complaint to the company's first reply."
    )
    response_days: NonNegative | None = Field(
        None, le=3650, description="Days from receipt to the company's response."
    )
    forwarded_days: float | None = Field(
        None, ge=-3650, le=3650, description="Days from receipt until sent to the company (CFPB)."
    )
    response: str | None = Field(
        None, max_length=200, description="The company's response as the source records it."
    )
    resolved: bool | None = None
    timely: bool | None = None
    escalated: bool | None = None
    disputed: bool | None = None
    text: str | None = Field(
        None,
        max_length=32_000,
        description="The customer's own words (a CFPB narrative published with consent, a "
        "tweet); imported only when asked for (`--with-text`).",
    )


class Company(Model):
    """A company: who it is, where to escalate, what it advertises, and its incident data."""

    slug: Slug
    name: ShortText = Field(description="Display name; 'A regional telephone company' if unnamed.")
    named: bool = Field(True, description="False when the sources do not name the company.")
    industry: Slug
    country: str = Field(min_length=2, max_length=60)
    region: str | None = None
    description: str | None = None
    website: WebUrl | None = None
    regulators: list[Regulator] = Field(default_factory=list)
    leadership: list[Leader] = Field(default_factory=list)
    promises: list[AdvertisedPromise] = Field(default_factory=list)
    size: CompanySize | None = None
    incidents: list[Incident] = Field(default_factory=list)
    aliases: list[ShortText] = Field(
        default_factory=list,
        description="Other spellings of the name in imported data, e.g. "
        "'BANK OF AMERICA, NATIONAL ASSOCIATION'.",
    )
    handles: list[Annotated[str, StringConstraints(pattern=r"^@?[A-Za-z0-9_]{1,15}$")]] = Field(
        default_factory=list,
        description="The company's support accounts on social media, e.g. `BofA_Help` "
        "(read by `cxreport import twitter`).",
    )
    calls_file: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9._-]+\.csv$",
        description="A CSV next to this YAML with daily call-centre figures "
        "(written by `cxreport import calls`).",
    )
    incidents_file: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9._-]+\.csv$",
        description="A CSV file next to this YAML with one incident a row "
        "(columns as in `incidents`).",
    )


# --------------------------------------------------------------------------- case timeline


class EventBase(Model):
    id: EventId
    at: dt.datetime | dt.date = Field(
        description="When it happened: `2019-05-08T17:00` or a date `2019-05-08`."
    )
    approximate: bool = Field(
        False, description="True when the time is reconstructed from what the source says."
    )
    order_only: bool = Field(
        False,
        description="True when the source gives no time at all: the event only keeps its place "
        "in the order, and no duration is computed from it.",
    )
    when_stated: str | None = Field(
        None, description="The time as the source states it, e.g. 'a Saturday evening'."
    )
    note: str | None = Field(None, max_length=5000, description="What happened, in a sentence.")
    source: int | None = Field(None, ge=1, description="Number of the source (1 = first).")

    @property
    def timestamp(self) -> dt.datetime:
        return as_datetime(self.at)


class ServiceLost(EventBase):
    kind: Literal["service_lost"]
    service: ShortText = Field(description="What stopped working, e.g. 'dial tone'.")
    warned: bool = Field(False, description="Whether the customer was warned beforehand.")


class ServiceRestored(EventBase):
    kind: Literal["service_restored"]
    service: ShortText


ContactOutcome = Literal[
    "resolved", "promise", "transferred", "no_progress", "unavailable", "dropped", "answered"
]


class Contact(EventBase):
    """A call, chat, e-mail, post or visit; numbers left out when the source does not give them."""

    kind: Literal["contact"]
    channel: Channel
    initiated_by: Literal["customer", "company"] = "customer"
    hold_minutes: NonNegative | None = Field(None, le=24 * 60)
    talk_minutes: NonNegative | None = Field(None, le=24 * 60)
    ivr_steps: int | None = Field(None, ge=0, le=100, description="Phone-menu steps endured.")
    agents: list[Annotated[str, StringConstraints(max_length=80)]] = Field(
        default_factory=list, description="Anonymous labels of the employees spoken to."
    )
    obstacles: list[
        Literal[
            "touch_tone_letters",
            "no_case_history",
            "cannot_reach_same_agent",
            "closed_outside_hours",
            "cold_transfer",
            "wrong_department",
            "call_dropped",
        ]
    ] = Field(default_factory=list)
    outcome: ContactOutcome = "no_progress"


class Transfer(EventBase):
    kind: Literal["transfer"]
    from_department: str | None = None
    to_department: ShortText
    department_closed: bool = Field(False, description="The target was closed, ending the call.")
    cold: bool = Field(True, description="The customer had to start the story over.")


class Promise(EventBase):
    kind: Literal["promise"]
    what: ShortText
    due: dt.datetime | dt.date | None = None
    by: str | None = Field(None, description="Anonymous label of who promised.")


class PromiseOutcome(EventBase):
    kind: Literal["promise_kept", "promise_missed"]
    promise: EventId = Field(description="Id of the `promise` event this settles.")


class Ownership(EventBase):
    kind: Literal["ownership"]
    by: ShortText = Field(description="Anonymous label of the employee who owned the problem.")


class Escalation(EventBase):
    kind: Literal["escalation"]
    to: ShortText = Field(description="To whom: a role or an office, never a private name.")
    by: Literal["customer", "company"] = "customer"


class RegulatorComplaint(EventBase):
    kind: Literal["regulator_complaint"]
    regulator: ShortText


class Resolution(EventBase):
    kind: Literal["resolution"]
    what: ShortText
    complete: bool = True


class CompanyStatementEvent(EventBase):
    kind: Literal["company_statement"]
    text: ShortText


Event = Annotated[
    ServiceLost
    | ServiceRestored
    | Contact
    | Transfer
    | Promise
    | PromiseOutcome
    | Ownership
    | Escalation
    | RegulatorComplaint
    | Resolution
    | CompanyStatementEvent,
    Field(discriminator="kind"),
]

EVENT_KINDS = [
    "service_lost",
    "service_restored",
    "contact",
    "transfer",
    "promise",
    "promise_kept",
    "promise_missed",
    "ownership",
    "escalation",
    "regulator_complaint",
    "resolution",
    "company_statement",
]

StatedMetric = Literal[
    "contacts",
    "hours_on_phone",
    "hours_on_hold",
    "distinct_agents",
    "transfers",
    "promises_made",
    "promises_missed",
    "owners",
    "hours_without_service",
    "days_of_effort",
    "divisions_contacted",
]


class StatedFigure(Model):
    """A total the source states without per-event detail ("22 calls", "over 50 employees")."""

    value: float = Field(ge=0, le=1_000_000)
    qualifier: Literal["exactly", "at_least", "about", "at_most"] = "exactly"
    source: int = Field(1, ge=1, description="Number of the source that states it (1 = first).")
    quote: str | None = Field(None, description="The source's words, in English.")


class Consent(Model):
    """Publication flags: whose story this is and what was removed from it."""

    customer_consented: bool = Field(
        False, description="The customer agreed to publication (or published it themselves)."
    )
    published_source: bool = Field(
        True, description="The story retells an already published source."
    )
    redacted: list[str] = Field(
        default_factory=list, description="What was removed, e.g. 'names of agents'."
    )
    public_names: list[str] = Field(
        default_factory=list,
        description="Names that may appear in the text because they are public "
        "(officials, brands).",
    )


class CompanyStatement(Model):
    """The company's right of reply."""

    text: LongText
    date: dt.date | None = None
    source: str | None = None


class Case(Model):
    """A customer's ordeal, told from its sources, with a timeline of events."""

    slug: Slug
    title: ShortText
    company: Slug = Field(description="Slug of the company (a file in `companies/`).")
    industry: Slug
    started: dt.date
    ended: dt.date | None = None
    published: dt.date | None = Field(None, description="When this writeup was published.")
    summary: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    language: str = Field("en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    tags: list[Slug] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    consent: Consent = Field(default_factory=Consent)
    narrative: LongText | None = Field(None, description="Markdown; or put it in `narrative_file`.")
    narrative_file: str | None = Field(None, pattern=r"^[A-Za-z0-9._-]+\.md$")
    timeline_note: str | None = Field(
        None, description="How the timeline was built, e.g. which times are reconstructed."
    )
    company_statement: CompanyStatement | None = None
    stated: dict[StatedMetric, StatedFigure] = Field(default_factory=dict)
    timeline: list[Event] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_narrative(self) -> Case:
        if self.narrative and self.narrative_file:
            raise ValueError("give either `narrative` or `narrative_file`, not both")
        return self


# --------------------------------------------------------------------------- letters


class Letter(Model):
    """An open letter to management; grievances are drawn from the addressees' scored cases."""

    slug: Slug
    title: ShortText
    addressees: list[Slug] = Field(min_length=1, description="Company slugs.")
    addressee_note: str | None = Field(
        None, description="Added after the names, e.g. 'and every company like them'."
    )
    sender: ShortText
    signatories: list[ShortText] = Field(default_factory=list)
    date: dt.date
    opening: LongText
    closing: LongText
    demands: list[ShortText] = Field(default_factory=list)
    points: list[Annotated[str, StringConstraints(min_length=1, max_length=2000)]] = Field(
        default_factory=list, description="Hand-written points, printed as written."
    )
    sources: list[Source] = Field(default_factory=list)


# --------------------------------------------------------------------------- rubric (shape)


class Threshold(Model):
    """Points awarded when the metric is at most (or at least) `value`."""

    value: float
    points: float = Field(ge=0, le=1)


class Scoring(Model):
    """How a metric becomes a share of the criterion's points (0..1)."""

    method: Literal["thresholds", "linear"]
    better: Literal["lower", "higher"] = "lower"
    thresholds: list[Threshold] = Field(default_factory=list)
    best: float | None = Field(None, description="linear: metric value worth full points.")
    worst: float | None = Field(None, description="linear: metric value worth no points.")

    @model_validator(mode="after")
    def _complete(self) -> Scoring:
        if self.method == "thresholds" and not self.thresholds:
            raise ValueError("method 'thresholds' needs at least one threshold")
        if self.method == "linear":
            if self.best is None or self.worst is None:
                raise ValueError("method 'linear' needs both `best` and `worst`")
            if self.best == self.worst:
                raise ValueError("`best` and `worst` must differ")
        return self


class Criterion(Model):
    id: Slug
    name: ShortText
    metric: str = Field(description="Name of a case metric (see the methodology page).")
    weight: float = Field(gt=0, le=100)
    scoring: Scoring
    rationale: LongText
    source: str = Field(min_length=1, description="Where the rationale comes from.")
    letter: ShortText = Field(description="The sentence a letter uses when the criterion fails.")
    fail_below: float = Field(0.5, ge=0, le=1, description="Share of points below which it fails.")
    cap: float | None = Field(
        None,
        ge=0,
        le=100,
        description="A critical criterion: when it fails, the case scores at most this, "
        "whatever else went well (like the auto-fail items of call-centre quality forms).",
    )


class Category(Model):
    id: Slug
    name: ShortText
    description: str
    criteria: list[Criterion] = Field(min_length=1)


class GradeBand(Model):
    grade: Literal["A", "B", "C", "D", "E", "F"]
    min: float = Field(ge=0, le=100, description="Lowest score (0-100) that earns the grade.")


class Rubric(Model):
    title: ShortText
    version: str
    intro: LongText
    prior_strength: float = Field(
        3, ge=0, le=1000, description="Pseudo-cases of the neutral prior in company scores."
    )
    prior_score: float = Field(50, ge=0, le=100)
    half_life_days: float = Field(365, gt=0, description="Recency weighting of company cases.")
    categories: list[Category] = Field(min_length=1)
    grades: list[GradeBand] = Field(min_length=2)


SCHEMA_MODELS: dict[str, type[Model]] = {
    "company": Company,
    "case": Case,
    "letter": Letter,
    "rubric": Rubric,
}
