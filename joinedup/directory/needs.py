"""joinedup's needs taxonomy: what a person needs help with, in words a navigator and a
resident use, each need tied to the holistic assessment domain it answers
(``joinedup.care.assessment.DOMAINS``), so that an assessment's answers lead to services.

It is an HSDS taxonomy like any other (``Taxonomy`` "joinedup-needs", one ``TaxonomyTerm``
per need, the need's code as the term's code), served on ``/oruk/taxonomies``.
"""

from dataclasses import dataclass

TAXONOMY_ID = "joinedup-needs"
TAXONOMY_NAME = "joinedup needs"


@dataclass(frozen=True)
class Need:
    code: str
    name: str
    domain: str  # the holistic assessment domain it answers
    description: str
    words: tuple[str, ...] = ()  # other words people use for it (searched too)


NEEDS = (
    Need(
        "ltc-support",
        "Living with a long-term condition",
        "physical",
        "Support to manage conditions such as diabetes, COPD, heart failure or arthritis.",
        ("diabetes", "copd", "heart", "arthritis", "condition", "self-management", "pain"),
    ),
    Need(
        "being-active",
        "Being active and eating well",
        "physical",
        "Exercise, walking groups, healthy eating and stopping smoking.",
        ("exercise", "walking", "weight", "smoking", "diet", "fitness"),
    ),
    Need(
        "mental-wellbeing",
        "Mental and emotional wellbeing",
        "wellbeing",
        "Talking therapies, counselling, peer support and crisis help.",
        ("anxiety", "depression", "counselling", "stress", "mental", "bereavement"),
    ),
    Need(
        "memory",
        "Memory and dementia",
        "memory",
        "Memory assessment, dementia support and activities for people and their carers.",
        ("dementia", "alzheimer", "memory"),
    ),
    Need(
        "mobility-falls",
        "Mobility and falls",
        "mobility",
        "Falls prevention, strength and balance, equipment and getting about.",
        ("falls", "balance", "wheelchair", "equipment", "transport", "mobility"),
    ),
    Need(
        "daily-living",
        "Help at home and daily living",
        "daily_living",
        "Personal care, meals, shopping, adaptations and help to stay independent at home.",
        ("home care", "meals", "shopping", "adaptations", "cleaning", "food"),
    ),
    Need(
        "housing",
        "Housing",
        "housing",
        "Housing advice, repairs, homelessness, damp and cold homes.",
        ("homeless", "repairs", "damp", "tenancy", "rent", "heating"),
    ),
    Need(
        "money",
        "Money and benefits",
        "money",
        "Benefits advice, debt, grants and help with bills.",
        ("benefits", "debt", "bills", "grants", "pension", "universal credit"),
    ),
    Need(
        "work",
        "Work, learning and volunteering",
        "money",
        "Employment support, skills, English classes and volunteering.",
        ("job", "employment", "training", "volunteer", "english", "skills"),
    ),
    Need(
        "loneliness",
        "Loneliness and social contact",
        "loneliness",
        "Befriending, lunch clubs, community groups and things to do.",
        ("lonely", "befriending", "isolation", "club", "friends", "social"),
    ),
    Need(
        "caring",
        "Support for carers",
        "caring",
        "Carers' assessments, breaks, advice and groups for unpaid carers.",
        ("carer", "respite", "break", "young carer"),
    ),
    Need(
        "communication",
        "Communication, sight and hearing",
        "communication",
        "Interpreting, sight and hearing loss support, digital skills.",
        ("interpreter", "hearing", "sight", "deaf", "blind", "digital"),
    ),
    Need(
        "safety",
        "Feeling safe",
        "safety",
        "Domestic abuse, safeguarding, scams and staying safe at home.",
        ("abuse", "domestic", "safeguarding", "scams", "violence"),
    ),
)

BY_CODE = {n.code: n for n in NEEDS}


def term_id(code: str) -> str:
    """The HSDS id of a need's taxonomy term."""
    return f"{TAXONOMY_ID}:{code}"


def for_domain(domain: str) -> list[Need]:
    """The needs that answer an assessment domain."""
    return [n for n in NEEDS if n.domain == domain]


def ensure_taxonomy(taxonomy_model=None, term_model=None) -> None:
    """Create or restore the needs taxonomy and its terms (the models are passed in by the
    data migration, which must use its historical models)."""
    if taxonomy_model is None or term_model is None:
        from .models import Taxonomy as taxonomy_model  # noqa: N813
        from .models import TaxonomyTerm as term_model  # noqa: N813
    taxonomy, _ = taxonomy_model.objects.update_or_create(
        oruk_id=TAXONOMY_ID,
        defaults={
            "name": TAXONOMY_NAME,
            "description": "What a person needs help with, lined up with the holistic "
            "assessment's domains.",
            "version": "1",
        },
    )
    for need in NEEDS:
        term_model.objects.update_or_create(
            oruk_id=term_id(need.code),
            defaults={
                "taxonomy": taxonomy,
                "code": need.code,
                "name": need.name,
                "description": need.description,
                "vocabulary": TAXONOMY_NAME,
            },
        )
