"""Typed models: the one source of truth for what authors may write.

The JSON Schemas in ``schemas/`` and the field tables in the docs are generated from these
classes (``cxreport schema``); a test fails when the committed copies drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .slugs import RESERVED_SLUGS, SLUG_PATTERN

# One range for every date an author writes: a typo in the year (2204 for 2024) is an error,
# not a date that the build chokes on later (gzip headers end in 2106).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def _in_range(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE} (a typo in the year?)")
    return value


Date = Annotated[dt.date, AfterValidator(_in_range)]
Moment = Annotated[dt.datetime | dt.date, AfterValidator(_in_range)]


def _not_reserved(value: str) -> str:
    if value in RESERVED_SLUGS:
        raise ValueError(f"{value!r} is reserved for the site's own pages; choose another slug")
    return value


Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=80),
    Field(description="Lower-case letters, digits and single hyphens, e.g. `fiber-upgrade-2019`."),
]
# The slug of a case, company or letter names a page: it may not be a name the site uses.
PageSlug = Annotated[Slug, AfterValidator(_not_reserved)]
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
    """A date as midnight of that day; a datetime as the case's wall-clock time (the one place
    this is decided). Times written with a UTC offset were moved into the case's zone when the
    case was read, so dropping the offset leaves the local time and every comparison holds."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use a name such as Europe/Stockholm or America/New_York"
        ) from None
    return name


class Model(BaseModel):
    """Shared settings: unknown fields are errors, so a typo never silently vanishes; numbers
    are finite (`.nan` or `.inf` would change grades silently and break the JSON downloads)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- shared pieces


class Source(Model):
    """Where a case's facts come from; every case cites at least one."""

    title: ShortText
    publisher: ShortText | None = None
    url: WebUrl | None = Field(None, description="Link to the article, if it is online.")
    date: Date | None = Field(None, description="Publication date, if known.")
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


PromiseKind = Literal["support_hours", "guarantee", "response_time", "price", "other"]


class AdvertisedPromise(Model):
    """What the company's marketing promises; scoring compares it with what cases observed."""

    text: ShortText
    kind: PromiseKind = "other"
    hours: str | None = Field(None, description="Advertised availability, e.g. `24/7`.")
    channel: Channel | None = None
    source: str | None = None


class CompanySize(Model):
    customers: int = Field(gt=0, le=10_000_000_000, description="Number of customers.")
    as_of: Date | None = None
    source: str | None = None


class Incident(Model):
    """One complaint or contact from a company's incident data (inline or a CSV row)."""

    id: str = Field(
        min_length=1, max_length=80, description="The row's id in its source (unique per source)."
    )
    source: str | None = Field(
        None,
        max_length=40,
        pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$",
        description="Where the row comes from, e.g. `cfpb`, `fcc-tickets`, `twitter`; "
        "(source, id) identifies a row across imports.",
    )
    date: Date
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
    as_of: Date | None = Field(
        None,
        description='The day the row\'s extract was taken (its "as of" day), set by `cxreport '
        "import` (the latest row date in the file, or `--as-of`): the settle window of response "
        "outcomes is counted back from it. The date of the company file's `incidents_source`, "
        "when given, applies instead; empty: the source's last day.",
    )


class IndustryInference(Model):
    """How `cxreport import --unknown create` chose a new company's industry: the industry of
    its most frequent product that names one, in the rows of that import. The company page
    states the rule while `industry:` is still the inferred one; set `industry:` by hand (or
    delete this record) and the page says nothing is inferred."""

    industry: Slug = Field(description="The industry the rule gave.")
    rule: Literal["most-frequent-product"] = Field(
        "most-frequent-product",
        description="The company's most frequent product (in the source's product column) "
        "that names an industry; `financial-services` when none does.",
    )
    source: str | None = Field(None, max_length=40, description="The import's source, `cfpb`.")
    product: str | None = Field(
        None, max_length=200, description="The product the industry came from (none: no product "
        "named an industry).",
    )  # fmt: skip
    complaints: int = Field(ge=0, description="The imported rows with that product.")
    of: int = Field(ge=0, description="All the rows of that import for this company.")

    @model_validator(mode="after")
    def _counts(self) -> IndustryInference:
        if self.complaints > self.of:
            raise ValueError("complaints: more than `of`, all the rows")
        return self


class Company(Model):
    """A company: who it is, where to escalate, what it advertises, and its incident data."""

    slug: PageSlug
    name: ShortText = Field(description="Display name; 'A regional telephone company' if unnamed.")
    example: bool = Field(
        False, description="An example to copy (from `cxreport init`): never graded or ranked."
    )
    named: bool = Field(True, description="False when the sources do not name the company.")
    industry: Slug = Field(
        description="The company's industry, as a slug (e.g. `telecom`, `banking`): industry "
        "medians compare each company figure with the companies of the same industry."
    )
    industry_inferred: IndustryInference | None = Field(
        None,
        description="Written by an import that created this file: how `industry` was inferred "
        "(stated on the company page while `industry` is unchanged).",
    )
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
    incidents_source: Source | None = Field(
        None, description="Where the incident data comes from (cited beside every figure)."
    )
    calls_source: Source | None = Field(
        None, description="Where the call-centre data comes from."
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
    at: Moment = Field(
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
    due: Moment | None = None
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
    inferred: bool = Field(
        False,
        description="True when the source gives no number: the value is the editors' reading "
        "of its words (the quote), e.g. 'a similar number of calls'. Pages show it as such, and "
        "letters never put it in a sentence.",
    )


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
    date: Date | None = None
    source: str | None = None


LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]


class CaseText(Model):
    """A case's reader-facing text in another language. What it leaves out is shown in the
    case's own language, marked as such."""

    title: ShortText | None = None
    summary: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None
    narrative: LongText | None = Field(None, description="Markdown.")
    timeline_note: str | None = None
    company_statement: LongText | None = Field(None, description="The company's reply.")
    quotes: dict[StatedMetric, str] = Field(
        default_factory=dict, description="The stated figures' quotes, by metric."
    )
    notes: dict[EventId, str] = Field(
        default_factory=dict, description="Timeline events' notes, by event id."
    )


class Case(Model):
    """A customer's ordeal, told from its sources, with a timeline of events."""

    slug: PageSlug
    title: ShortText
    company: Slug = Field(description="Slug of the company (a file in `companies/`).")
    industry: Slug
    started: Date
    ended: Date | None = None
    published: Date | None = Field(None, description="When this writeup was published.")
    summary: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    example: bool = Field(
        False,
        description="An example to copy (from `cxreport init`): validated, never graded or "
        "published. Remove the line when the case is real.",
    )
    language: str = Field(
        "en",
        pattern=r"^[a-z]{2}(-[A-Z]{2})?$",
        description="The language the case's text is written in.",
    )
    translations: dict[LanguageTag, CaseText] = Field(
        default_factory=dict,
        description="The case's text in other languages, by language tag (`sv`, `he`, ...).",
    )
    timezone: Annotated[str, AfterValidator(_time_zone)] | None = Field(
        None,
        description="IANA time zone of the times in the timeline, e.g. `America/New_York`. "
        "Times without an offset are taken in it; times with one (`09:00+02:00`) are moved "
        "into it. Without it, the zone of the first time written with an offset is used.",
    )
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
    dates: Literal["stated", "approximate", "not_given"] = Field(
        "stated",
        description="How the sources give the case's dates: `stated` (the dates are theirs), "
        "`approximate` (reconstructed from what they say, shown with 'about'), `not_given` "
        "(they give none: the dates in the file only keep events in order and apart, and the "
        "site shows days and hours from the start, never a calendar date).",
    )
    covers: list[Slug] = Field(
        default_factory=list,
        description="What the sources tell about: ids of rubric categories or case criteria "
        "(e.g. `effort`, `transfers`). A criterion applies to a case only where its sources "
        "cover it or an event or stated figure of its own backs it; elsewhere it is not "
        "applicable, never a pass.",
    )
    timeline: list[Event] = Field(min_length=1)

    @model_validator(mode="after")
    def _translations_differ(self) -> Case:
        if self.language in self.translations:
            raise ValueError(f"translations: {self.language} is the case's own language")
        return self

    @model_validator(mode="after")
    def _one_narrative(self) -> Case:
        if self.narrative and self.narrative_file:
            raise ValueError("give either `narrative` or `narrative_file`, not both")
        return self

    @model_validator(mode="after")
    def _one_zone(self) -> Case:
        """Move every time written with an offset into the case's zone (the same instant),
        so that local times and offset times compare and subtract correctly."""
        zone: dt.tzinfo | None = ZoneInfo(self.timezone) if self.timezone else None
        for n, event in enumerate(self.timeline):
            moved = {}
            for name in ("at", "due"):
                value = getattr(event, name, None)
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    zone = zone or value.tzinfo
                    moved[name] = value.astimezone(zone)
            if moved:
                self.timeline[n] = event.model_copy(update=moved)
        return self


# --------------------------------------------------------------------------- letters


class Letter(Model):
    """An open letter to management; grievances are drawn from the addressees' scored cases."""

    slug: PageSlug
    title: ShortText
    language: str = Field(
        "en",
        pattern=r"^[a-z]{2}(-[A-Z]{2})?$",
        description="The language the letter is written in.",
    )
    addressees: list[Slug] = Field(min_length=1, description="Company slugs.")
    addressee_note: str | None = Field(
        None, description="Added after the names, e.g. 'and every company like them'."
    )
    sender: ShortText
    signatories: list[ShortText] = Field(default_factory=list)
    date: Date
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
    metric: str = Field(
        description="Name of a registered metric (see the methodology page): a case metric in "
        "`categories`, a company metric in `company.categories`."
    )
    channel: Channel | Literal["all"] = Field(
        "all", description="Company metrics per channel: which channel's figure is scored."
    )
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
    requires_promise: PromiseKind | None = Field(
        None,
        description="Applies only to companies that advertise a promise of this kind: a company "
        "is never failed on a promise it did not make.",
    )
    superseded_by: list[Slug] = Field(
        default_factory=list,
        description="Criteria that count the same fact: when one of them applies, this one is "
        "left out, so one fact is penalised once.",
    )


class Category(Model):
    id: Slug
    name: ShortText
    description: str
    criteria: list[Criterion] = Field(min_length=1)


class GradeBand(Model):
    grade: Literal["A", "B", "C", "D", "E", "F"]
    min: float = Field(ge=0, le=100, description="Lowest score (0-100) that earns the grade.")


class CompanyRubric(Model):
    """How companies are graded from their incident data, and how that joins their cases."""

    intro: LongText
    min_sample: int = Field(
        30, ge=1, le=1_000_000, description="Rows a company figure needs before it is scored."
    )
    min_company_criteria: int = Field(
        1,
        ge=1,
        le=1000,
        description="Company criteria that must apply (each with a figure on at least "
        "`min_sample` rows) before the complaint and call-centre data take part in a "
        "company's grade, as `min_case_criteria` does for a case; with fewer the data part is "
        "left out.",
    )
    recent_days_excluded: int = Field(
        60,
        ge=0,
        le=3650,
        description="Response figures leave out complaints this recent (companies have 15 days "
        "to respond and 60 to close).",
    )
    case_weight: float = Field(1, ge=0, le=100, description="Weight of the case part.")
    incident_weight: float = Field(1, ge=0, le=100, description="Weight of the incident part.")
    categories: list[Category] = Field(min_length=1)


class Rubric(Model):
    title: ShortText
    version: str
    intro: LongText
    sources: list[Source] = Field(
        default_factory=list,
        description="The articles and standards the criteria's `source` texts name, cited in "
        "full on the methodology page.",
    )
    prior_strength: float = Field(
        3, ge=0, le=1000, description="Pseudo-cases of the neutral prior in company scores."
    )
    prior_score: float = Field(50, ge=0, le=100)
    half_life_days: float = Field(365, gt=0, description="Recency weighting of company cases.")
    min_case_criteria: int = Field(
        4,
        ge=1,
        le=1000,
        description="Criteria that must apply to a case (its sources cover them, or evidence "
        "backs them) before it is graded; with fewer it is 'not graded' and leaves its "
        "company's grade.",
    )
    categories: list[Category] = Field(min_length=1)
    company: CompanyRubric | None = Field(
        None, description="Company criteria scored from incident and call-centre data."
    )
    grades: list[GradeBand] = Field(min_length=2)


SCHEMA_MODELS: dict[str, type[Model]] = {
    "company": Company,
    "case": Case,
    "letter": Letter,
    "rubric": Rubric,
}
