"""Reads for engagement that need more than a line: how the panel compares with the
borough's population (counts only: no one's record leaves ``people``)."""

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.utils import timezone

from joinedup.core.models import Neighbourhood
from joinedup.people.models import Person

from .models import (
    CATEGORIES,
    HELD,
    AgeBand,
    EthnicGroup,
    PanelMember,
    PanelSex,
    PopulationMargin,
    RunStatus,
    SeatStatus,
    YesNo,
)

# Census ethnic group codes start with the broad group's letter (people.Ethnicity).
_GROUP_OF_PREFIX = {"A": "asian", "B": "black", "M": "mixed", "W": "white", "O": "other"}


QUINTILES = [
    ("1", "1 (most deprived)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 (least deprived)"),
]
UNKNOWN = ("unknown", "Not known")


@dataclass
class Row:
    value: str
    label: str
    panel: int
    panel_share: float | None
    population: int | None
    population_share: float | None

    @property
    def difference(self) -> float | None:
        if self.panel_share is None or self.population_share is None:
            return None
        return self.panel_share - self.population_share


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _age_band(today: date):
    bounds = [(AgeBand.A75, 75), (AgeBand.A65, 65), (AgeBand.A55, 55), (AgeBand.A45, 45),
              (AgeBand.A35, 35), (AgeBand.A25, 25), (AgeBand.A16, 16)]  # fmt: skip
    return Case(
        *[
            When(birth_date__lte=_years_ago(today, age), then=Value(band.value))
            for band, age in bounds
        ],
        default=Value("under 16"),
        output_field=CharField(),
    )


def _shares(counts: dict[str, int], values: list[tuple[str, str]]) -> dict[str, float]:
    total = sum(counts.get(v, 0) for v, _ in values)
    return {v: (counts.get(v, 0) / total if total else 0.0) for v, _ in values}


def representativeness(today: date | None = None, place=None) -> dict[str, list[Row]]:
    """For each category: the panel's members and shares beside the population's (adults
    16 and over living in the borough, or in ``place``: its members and residents, and its
    own census shares when its settings have them). "Prefer not to say" is shown for the
    panel and left out of its shares."""
    today = today or timezone.localdate()
    members = PanelMember.objects.filter(withdrawn_at=None)
    residents = Person.objects.filter(
        date_of_death=None, merged_into=None, birth_date__lte=_years_ago(today, 16)
    )
    if place is not None:
        members = members.filter(lsoa__neighbourhood__network__place=place)
        residents = residents.filter(lsoa__neighbourhood__network__place=place)
    result: dict[str, list[Row]] = {}

    def build(name, values, panel_counts, population_counts, population_shares=None):
        known = [(v, label) for v, label in values if v != "not_said"]
        panel_shares = _shares(panel_counts, known)
        if population_shares is None:
            population_shares = _shares(population_counts, known) if population_counts else {}
        result[name] = [
            Row(
                value=v,
                label=label,
                panel=panel_counts.get(v, 0),
                panel_share=panel_shares.get(v),
                population=population_counts.get(v) if population_counts else None,
                population_share=population_shares.get(v),
            )
            for v, label in values
        ]

    build(
        "Age",
        AgeBand.choices,
        dict(members.values_list("age_band").annotate(n=Count("id"))),
        dict(residents.annotate(band=_age_band(today)).values_list("band").annotate(n=Count("id"))),
    )
    build(
        "Sex",
        PanelSex.choices,
        dict(members.values_list("sex").annotate(n=Count("id"))),
        dict(residents.values_list("sex").annotate(n=Count("id"))),
    )
    population_groups: dict[str, int] = {}
    for code, n in residents.values_list("ethnicity").annotate(n=Count("id")):
        group = _GROUP_OF_PREFIX.get((code or "")[:1])
        if group and code != "NOT_STATED":
            population_groups[group] = population_groups.get(group, 0) + n
    build(
        "Ethnic group",
        EthnicGroup.choices,
        dict(members.values_list("ethnic_group").annotate(n=Count("id"))),
        population_groups,
    )
    quintiles = QUINTILES
    quintile = Case(
        *[
            When(Q(lsoa__imd_decile__in=(2 * q - 1, 2 * q)), then=Value(str(q)))
            for q in range(1, 6)
        ],
        default=Value(""),
        output_field=CharField(),
    )
    build(
        "Deprivation (IMD quintile)",
        quintiles,
        dict(members.annotate(q=quintile).values_list("q").annotate(n=Count("id"))),
        dict(residents.annotate(q=quintile).values_list("q").annotate(n=Count("id"))),
    )
    hoods = sorted(
        {
            (code, name)
            for code, name in residents.exclude(lsoa__neighbourhood=None)
            .values_list("lsoa__neighbourhood__code", "lsoa__neighbourhood__name")
            .distinct()
        },
        key=lambda x: x[1],
    )
    build(
        "Neighbourhood",
        hoods,
        dict(members.values_list("lsoa__neighbourhood__code").annotate(n=Count("id"))),
        dict(residents.values_list("lsoa__neighbourhood__code").annotate(n=Count("id"))),
    )
    margins: dict[str, dict[str, float]] = {}
    for category, value, share in PopulationMargin.objects.values_list(
        "category", "value", "share"
    ):
        margins.setdefault(category, {})[value] = share
    if place is not None:
        from joinedup.core.place_settings import effective

        margins.update(effective(place)["panel_margins"])  # the place's own, where it has them
    for name, field in (("Disability", "disability"), ("LGBT+", "lgbt"), ("Carer", "carer")):
        build(
            name,
            [("yes", "Yes"), ("no", "No"), ("not_said", "Prefer not to say")],
            dict(members.values_list(field).annotate(n=Count("id"))),
            {},
            margins.get(field),  # loaded census shares, when there are any
        )
    return result


def population_shares(today: date | None = None) -> dict[str, dict[str, float]]:
    """Each category's population shares (adults 16+ in the borough, or loaded census
    shares); a category with no figures is left out."""
    tables = representativeness(today)
    shares = {}
    for category, name in CATEGORIES.items():
        known = {r.value: r.population_share for r in tables[name] if r.population_share}
        if known:
            shares[category] = known
    return shares


def category_values(category: str) -> list[tuple[str, str]]:
    """The values (and how they read) a respondent can have in a category."""
    if category == "age_band":
        return list(AgeBand.choices)
    if category == "sex":
        return list(PanelSex.choices)
    if category == "ethnic_group":
        return list(EthnicGroup.choices)
    if category in ("disability", "lgbt", "carer"):
        return list(YesNo.choices)
    if category == "imd_quintile":
        return [*QUINTILES, UNKNOWN]
    if category == "neighbourhood":
        return [*Neighbourhood.objects.order_by("name").values_list("code", "name"), UNKNOWN]
    raise KeyError(category)


def profile_labels(assembly) -> dict[str, dict[str, str]]:
    return {c: dict(category_values(c)) for c in assembly.categories}


def quota_table(assembly) -> list[dict]:
    """Each quota with how many in the pool have the value and how many of the members
    who hold a seat (selected or confirmed)."""
    pool: dict[tuple, int] = {}
    held: dict[tuple, int] = {}
    for profile, status in assembly.respondents.values_list("profile", "status"):
        for category in assembly.categories:
            key = (category, profile.get(category))
            pool[key] = pool.get(key, 0) + 1
            if status in HELD:
                held[key] = held.get(key, 0) + 1
    return [
        {
            "quota": q,
            "category": CATEGORIES[q.category],
            "pool": pool.get((q.category, q.value), 0),
            "held": held.get((q.category, q.value), 0),
        }
        for q in assembly.quotas.order_by("pk")
    ]


def assembly_overview(assembly) -> dict:
    respondents = assembly.respondents
    return {
        "pool": respondents.count(),
        "from_panel": respondents.exclude(panel_member=None).count(),
        "quota_rows": quota_table(assembly),
        "runs": list(assembly.runs.order_by("-started_at")),
        "held": respondents.filter(status__in=HELD).count(),
        "confirmed": respondents.filter(status=SeatStatus.CONFIRMED).count(),
        "drawn": assembly.runs.exclude(ticket_drawn=None).exists(),
        "category_names": CATEGORIES,
    }


CHANCE_BANDS = (
    "No chance (their group is full, or they fit in no panel)",
    "Under half an equal share",
    "Half to nine tenths of an equal share",
    "Within a tenth of an equal share",
    "A tenth to a half more than an equal share",
    "Over one and a half equal shares",
)


def selection_detail(run) -> dict:
    """A finished selection: its figures, and the respondents grouped by profile (people
    with the same values have the same probability) from least to most likely."""
    assembly = run.assembly
    labels = profile_labels(assembly)
    in_tickets: dict[int, int] = {}
    for ticket in run.tickets:
        for pk in ticket:
            in_tickets[pk] = in_tickets.get(pk, 0) + 1
    m = len(run.tickets) or 1
    groups: dict[tuple, dict] = {}
    for pk, profile in assembly.respondents.filter(
        pk__in=[int(i) for i in run.probabilities]
    ).values_list("pk", "profile"):
        key = tuple(profile.get(c) for c in assembly.categories)
        group = groups.setdefault(
            key,
            {
                "profile": [
                    labels[c].get(v, v) for c, v in zip(assembly.categories, key, strict=True)
                ],
                "people": 0,
                "probability": 0.0,
                "lottery": 0.0,
            },
        )
        group["people"] += 1
        group["probability"] += run.probabilities[str(pk)]
        group["lottery"] += in_tickets.get(pk, 0) / m
    rows = []
    for group in groups.values():
        group["probability"] /= group["people"]
        group["lottery"] /= group["people"]
        rows.append(group)
    rows.sort(key=lambda g: (g["probability"], g["profile"]))
    equal = run.seats / run.pool_size if run.pool_size else 0.0

    def band(p: float) -> int:
        if p <= 1e-9:
            return 0
        return 1 + sum(p / equal >= top for top in (0.5, 0.9, 1.1, 1.5))

    counts = Counter(band(p) for p in run.probabilities.values())
    bands = [{"label": label, "people": counts.get(i, 0)} for i, label in enumerate(CHANCE_BANDS)]
    chosen = []
    if run.ticket_drawn:
        chosen = list(
            assembly.respondents.filter(pk__in=run.tickets[run.ticket_drawn - 1]).order_by(
                "family_name", "given_name"
            )
        )
    return {
        "groups": rows,
        "equal": equal,
        "bands": bands,
        "tickets": len(run.tickets),
        "chosen": chosen,
        "labels": labels,
        "category_names": CATEGORIES,
    }


def check_drawable(run) -> None:
    """A selection's ticket can be drawn once, when it has finished, and only from the
    latest selection of its assembly; else ValidationError saying why."""
    if run.status != RunStatus.DONE:
        raise ValidationError("This selection has not finished")
    if run.ticket_drawn is not None:
        raise ValidationError(f"Ticket {run.ticket_drawn} has already been drawn")
    if run.assembly.runs.filter(started_at__gt=run.started_at).exists():
        raise ValidationError("A later selection has been started: draw from that one")


def ticket_for(run, *, ticket=None, seed=None) -> tuple[int, int | None]:
    """The ticket to draw and the seed it came from: the number drawn in public (1 to the
    number of tickets; no seed), or the one a seed gives (a random seed when it is empty).
    Anyone can check a seed's ticket: 1 + NumPy's default generator's first whole number
    from 0 to tickets - 1.

    >>> ticket_for(run, seed=2027)  # with 1,000 tickets
    (633, 2027)
    """
    m = len(run.tickets)
    if ticket is not None:
        try:
            number = int(str(ticket).strip())
            if not 1 <= number <= m:
                raise ValueError
        except ValueError:
            raise ValidationError(
                {"ticket": f"Enter the ticket drawn, a number from 1 to {m}"}
            ) from None
        return number, None
    try:
        seed = int(str(seed).strip()) if seed not in (None, "") else secrets.randbits(32)
    except ValueError:
        raise ValidationError({"seed": "The seed must be a whole number"}) from None
    if seed < 0:
        raise ValidationError({"seed": "The seed must be a whole number, 0 or more"})
    return int(np.random.default_rng(seed).integers(1, m + 1)), seed


def draw_preview(run, *, ticket=None, seed=None) -> dict:
    """What drawing would do, to confirm first: the ticket, its seed and how many people
    it would choose. Who they are is not shown until the draw is made, so no one can
    look at tickets before choosing one."""
    check_drawable(run)
    number, seed = ticket_for(run, ticket=ticket, seed=seed)
    return {"ticket": number, "seed": seed, "people": len(run.tickets[number - 1])}


def support_levels(recommendation) -> dict:
    """How many members voted, and the share who support it (strongly or not), who can
    at least live with it, and who oppose it."""
    from .models import Support

    counts = dict(recommendation.votes.values_list("support").annotate(n=Count("id")))
    voted = sum(counts.values())

    def share(*levels):
        return sum(counts.get(level, 0) for level in levels) / voted if voted else None

    return {
        "voted": voted,
        "counts": [(label, counts.get(value, 0)) for value, label in Support.choices],
        "support": share(Support.STRONGLY, Support.SUPPORT),
        "agree": share(Support.STRONGLY, Support.SUPPORT, Support.LIVE_WITH),
        "oppose": share(Support.OPPOSE),
    }


def assembly_report(assembly) -> dict:
    """The report's contents: the recommendations with their support, and the process in
    numbers (who was chosen, who came, who spoke, what was asked)."""
    from .models import Attendance, SessionQuestion, Speaker

    respondents = assembly.respondents
    statuses = dict(respondents.values_list("status").annotate(n=Count("id")))
    sessions = list(assembly.sessions.prefetch_related("speakers__organisation", "questions"))
    attendance = Attendance.objects.filter(session__assembly=assembly)
    present = attendance.filter(present=True).count()
    speakers = Speaker.objects.filter(session__assembly=assembly)
    recommendations = [
        {"recommendation": r, **support_levels(r)}
        for r in assembly.recommendations.select_related("group")
    ]
    return {
        "pool": respondents.count(),
        "from_panel": respondents.exclude(panel_member=None).count(),
        "chosen": sum(n for s, n in statuses.items() if s != SeatStatus.POOL),
        "confirmed": statuses.get(SeatStatus.CONFIRMED, 0),
        "declined": statuses.get(SeatStatus.DECLINED, 0),
        "withdrawn": statuses.get(SeatStatus.WITHDRAWN, 0),
        "replacements": respondents.filter(selected_in__replacement=True).count(),
        "first_run": assembly.runs.exclude(ticket_drawn=None).filter(replacement=False).first(),
        "sessions": sessions,
        "attendance_rate": present / attendance.count() if attendance.count() else None,
        "speakers": speakers.count(),
        "speaker_organisations": speakers.exclude(organisation=None)
        .values("organisation")
        .distinct()
        .count(),
        "questions": SessionQuestion.objects.filter(session__assembly=assembly).count(),
        "groups": assembly.groups.count(),
        "recommendations": recommendations,
        "agreed": sum(1 for r in recommendations if r["recommendation"].status == "agreed"),
        "quota_rows": quota_table(assembly),
    }


# --- What people told us ---------------------------------------------------------------------


def theme_agreement(feedback=None) -> dict:
    """How often the suggested theme was the one a person confirmed, and Cohen's kappa
    (agreement beyond chance), over confirmed comments that had a suggestion."""
    from sklearn.metrics import cohen_kappa_score

    from .models import Feedback

    feedback = Feedback.objects.all() if feedback is None else feedback
    pairs = list(
        feedback.exclude(confirmed_at=None)
        .exclude(suggested_theme=None)
        .values_list("suggested_theme", "theme")
    )
    if not pairs:
        return {"confirmed": 0, "agreed": 0, "share": None, "kappa": None}
    agreed = sum(1 for s, t in pairs if s == t)
    suggested, confirmed = zip(*pairs, strict=True)
    kappa = cohen_kappa_score(suggested, confirmed) if len(set(suggested + confirmed)) > 1 else 1.0
    return {
        "confirmed": len(pairs),
        "agreed": agreed,
        "share": agreed / len(pairs),
        "kappa": float(kappa),
    }


def what_people_told_us(start: date, end: date) -> dict:
    """ "We spoke to N people at M events; what they told us, by area": events and
    comments in a period, comments by theme (confirmed; unconfirmed ones counted apart),
    with a few comments that may be quoted, and the decisions each theme has led to."""
    from .models import Decision, EngagementEvent, Feedback, Theme

    events = EngagementEvent.objects.filter(held_on__range=(start, end))
    feedback = Feedback.objects.filter(received_on__range=(start, end))
    confirmed = feedback.exclude(theme=None)
    counts = dict(confirmed.values_list("theme").annotate(n=Count("id")))
    total = sum(counts.values())
    themes = []
    for theme in Theme.objects.all():
        n = counts.get(theme.pk, 0)
        if not n and not theme.long_term_plan:
            continue
        quotes = [
            f.publishable_text
            for f in confirmed.filter(theme=theme, consent_to_publish=True).order_by(
                "-received_on", "pk"
            )[:20]
            if f.publishable_text
        ][:3]
        decisions = Decision.objects.filter(themes=theme).select_related("meeting__board", "owner")
        themes.append(
            {
                "theme": theme,
                "comments": n,
                "share": n / total if total else None,
                "quotes": quotes,
                "decisions": list(decisions.order_by("-meeting__held_on")),
            }
        )
    themes.sort(key=lambda t: -t["comments"])
    by_channel = dict(feedback.values_list("channel").annotate(n=Count("id")))
    return {
        "start": start,
        "end": end,
        "events": events.count(),
        "people": events.aggregate(n=Sum("people"))["n"] or 0,
        "organisers": sorted(set(events.values_list("organiser", flat=True))),
        "comments": feedback.count(),
        "unconfirmed": feedback.filter(theme=None).count(),
        "flagged": feedback.exclude(personal_details=[]).filter(theme=None).count(),
        "themes": themes,
        "channels": by_channel,
        "agreement": theme_agreement(feedback),
    }


def you_said_we_did() -> list[dict]:
    """Each agreed assembly recommendation and each theme that boards have acted on, with
    the decisions and how each is going."""
    from .models import Decision, Recommendation

    rows = []
    for recommendation in Recommendation.objects.filter(status="agreed").select_related("assembly"):
        rows.append(
            {
                "you_said": recommendation.title,
                "detail": recommendation.text,
                "source": recommendation.assembly.name,
                "decisions": list(
                    Decision.objects.filter(recommendations=recommendation).select_related(
                        "meeting__board", "owner"
                    )
                ),
            }
        )
    return rows


# --- Panel surveys -------------------------------------------------------------------------------

WEIGHTING_CATEGORIES = ("age_band", "sex", "ethnic_group", "imd_quintile", "disability", "lgbt",
                        "carer")  # fmt: skip


def survey_results(survey) -> dict:
    """Each question's answers, unweighted and weighted to the population (raking on the
    categories with population figures), with 95% margins of error."""
    import numpy as np

    from . import weighting
    from .models import SurveyAnswer

    invitations = survey.invitations.exclude(answered_at=None).select_related("member__lsoa")
    members = {
        i.pk: {
            "age_band": i.member.age_band,
            "sex": i.member.sex,
            "ethnic_group": i.member.ethnic_group,
            "imd_quintile": str((i.member.lsoa.imd_decile + 1) // 2) if i.member.lsoa else "",
            "disability": i.member.disability,
            "lgbt": i.member.lgbt,
            "carer": i.member.carer,
        }
        for i in invitations
    }
    order = list(members)
    position = {pk: n for n, pk in enumerate(order)}
    targets = {c: s for c, s in population_shares().items() if c in WEIGHTING_CATEGORIES}
    weights, notes = weighting.rake({c: [members[pk][c] for pk in order] for c in targets}, targets)
    chosen: dict[int, dict[int, int]] = {}
    for invitation, question, option in SurveyAnswer.objects.filter(
        question__survey=survey
    ).values_list("invitation", "question", "option"):
        chosen.setdefault(question, {})[position[invitation]] = option
    questions = []
    for question in survey.questions.all():
        answered = chosen.get(question.pk, {})
        rows = sorted(answered)
        questions.append(
            {
                "question": question,
                "shares": weighting.shares(
                    question.options,
                    [answered[r] for r in rows],
                    weights[rows] if rows else np.ones(0),
                ),
            }
        )
    invited = survey.invitations.count()
    return {
        "invited": invited,
        "answered": len(order),
        "rate": len(order) / invited if invited else None,
        "effective": weighting.effective_size(weights) if order else 0.0,
        "largest_weight": float(weights.max()) if order else None,
        "weighted_on": [CATEGORIES[c] for c in targets],
        "notes": notes,
        "questions": questions,
    }


def decisions_done(*, until: date) -> tuple[int, int]:
    """For the partnership's indicators ("you said, we did"): board decisions marked done,
    and all decisions, made by ``until``."""
    from .models import Decision, DecisionStatus

    decisions = Decision.objects.filter(meeting__held_on__lte=until)
    return decisions.filter(status=DecisionStatus.DONE).count(), decisions.count()


def board_decisions(board) -> list:
    """A board's decisions, newest meeting first, with their owners and the themes they
    answer (for its pack's decisions and actions log)."""
    from .models import Decision

    return list(
        Decision.objects.filter(meeting__board=board)
        .select_related("meeting", "owner")
        .prefetch_related("themes")
        .order_by("-meeting__held_on", "pk")
    )


def feedback_by_theme(*, first: date, last: date) -> list[tuple[str, str, int]]:
    """(theme slug, name, comments) of the feedback received between the dates whose theme
    a person confirmed, most first (for the board packs' "what people told us")."""
    from .models import Feedback

    rows = (
        Feedback.objects.filter(received_on__gte=first, received_on__lte=last, theme__isnull=False)
        .values("theme__slug", "theme__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "theme__name")
    )
    return [(r["theme__slug"], r["theme__name"], r["n"]) for r in rows]
