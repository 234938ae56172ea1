"""joinedup's needs taxonomy: what a person needs help with, in words a navigator and a
resident use, each need tied to the holistic assessment domain it answers
(``joinedup.care.assessment.DOMAINS``), so that an assessment's answers lead to services.

It is an HSDS taxonomy like any other (``Taxonomy`` "joinedup-needs", one ``TaxonomyTerm``
per need, the need's code as the term's code), served on ``/oruk/taxonomies``.
"""

import re
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
    # More ways a plan or a note says it (read by ``for_text`` only, not put in listings'
    # search text).
    also: tuple[str, ...] = ()


NEEDS = (
    Need(
        "ltc-support",
        "Living with a long-term condition",
        "physical",
        "Support to manage conditions such as diabetes, COPD, heart failure or arthritis.",
        ("diabetes", "copd", "heart", "arthritis", "condition", "self-management", "pain"),
        ("long-term condition", "lung", "breathing"),
    ),
    Need(
        "being-active",
        "Being active and eating well",
        "physical",
        "Exercise, walking groups, healthy eating and stopping smoking.",
        ("exercise", "walking", "weight", "smoking", "diet", "fitness"),
        ("active", "healthy eating"),
    ),
    Need(
        "mental-wellbeing",
        "Mental and emotional wellbeing",
        "wellbeing",
        "Talking therapies, counselling, peer support and crisis help.",
        ("anxiety", "depression", "counselling", "stress", "mental", "bereavement"),
        ("low mood", "wellbeing", "talking therapy", "talking therapies"),
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
        ("fall", "getting about"),
    ),
    Need(
        "daily-living",
        "Help at home and daily living",
        "daily_living",
        "Personal care, meals, shopping, adaptations and help to stay independent at home.",
        ("home care", "meals", "shopping", "adaptations", "cleaning", "food"),
        ("personal care", "daily living", "washing", "dressing"),
    ),
    Need(
        "housing",
        "Housing",
        "housing",
        "Housing advice, repairs, homelessness, damp and cold homes.",
        ("homeless", "repairs", "damp", "tenancy", "rent", "heating"),
        ("housing", "landlord"),
    ),
    Need(
        "money",
        "Money and benefits",
        "money",
        "Benefits advice, debt, grants and help with bills.",
        ("benefits", "debt", "bills", "grants", "pension", "universal credit"),
        ("money", "pension credit", "attendance allowance"),
    ),
    Need(
        "work",
        "Work, learning and volunteering",
        "money",
        "Employment support, skills, English classes and volunteering.",
        ("job", "employment", "training", "volunteer", "english", "skills"),
        ("volunteering", "work", "learning"),
    ),
    Need(
        "loneliness",
        "Loneliness and social contact",
        "loneliness",
        "Befriending, lunch clubs, community groups and things to do.",
        ("lonely", "befriending", "isolation", "club", "friends", "social"),
        ("loneliness", "befriender", "isolated", "lunch club", "company", "companionship"),
    ),
    Need(
        "caring",
        "Support for carers",
        "caring",
        "Carers' assessments, breaks, advice and groups for unpaid carers.",
        ("carer", "respite", "break", "young carer"),
        ("caring", "carers assessment"),
    ),
    Need(
        "communication",
        "Communication, sight and hearing",
        "communication",
        "Interpreting, sight and hearing loss support, digital skills.",
        ("interpreter", "hearing", "sight", "deaf", "blind", "digital"),
        ("interpreting", "communication", "online"),
    ),
    Need(
        "safety",
        "Feeling safe",
        "safety",
        "Domestic abuse, safeguarding, scams and staying safe at home.",
        ("abuse", "domestic", "safeguarding", "scams", "violence"),
        ("safe", "safety"),
    ),
)

BY_CODE = {n.code: n for n in NEEDS}


def term_id(code: str) -> str:
    """The HSDS id of a need's taxonomy term."""
    return f"{TAXONOMY_ID}:{code}"


def _stem(word: str) -> str:
    """A light stem so that "falls" meets "fall" and "bills" meets "bill"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower())]


def for_text(text: str) -> list[str]:
    """The need a piece of writing (a plan action, a goal) is most about, as a list of its
    code (empty when none of the needs' words are in it). Each need's words and phrases are
    looked for on their own, not the sentence as one phrase; the need with the most of
    them wins, and of two with as many, the one named first.

    Example::

        for_text("Find a befriending or lunch club near home")   # ["loneliness"]
    """
    words = _words(text)
    best: tuple[int, int, str] | None = None
    for need in NEEDS:
        hits, first = 0, len(words)
        for phrase in {need.name.lower(), *need.words, *need.also}:
            wanted = _words(phrase)
            for i in range(len(words) - len(wanted) + 1):
                if words[i : i + len(wanted)] == wanted:
                    hits += len(wanted)
                    first = min(first, i)
                    break
        if hits and (best is None or (-hits, first) < (-best[0], best[1])):
            best = (hits, first, need.code)
    return [best[2]] if best else []


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
