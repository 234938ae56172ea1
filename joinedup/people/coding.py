"""How a person's recorded details are coded for other systems (NHS Data Dictionary and
UK Core): ethnic category, NHS number verification status and language.

The record keeps the 2021 Census ethnic groups, the person's language as a name
("Polish", "British Sign Language") and the verification status a registration file
gave; these functions turn them into the codes a GP system or a FHIR client expects, and
back.
"""

from functools import lru_cache

# NHS Data Dictionary "Ethnic Category" codes (the GP record's and UK Core's) → 2021 Census.
NHS_ETHNIC_CATEGORY = {
    "A": "W_BRITISH", "B": "W_IRISH", "C": "W_OTHER", "D": "M_WHITE_BLACK_CARIBBEAN",
    "E": "M_WHITE_BLACK_AFRICAN", "F": "M_WHITE_ASIAN", "G": "M_OTHER", "H": "A_INDIAN",
    "J": "A_PAKISTANI", "K": "A_BANGLADESHI", "L": "A_OTHER", "M": "B_CARIBBEAN",
    "N": "B_AFRICAN", "P": "B_OTHER", "R": "A_CHINESE", "S": "O_OTHER", "Z": "NOT_STATED",
    "99": "NOT_STATED",
}  # fmt: skip
# And back: the 2021 groups the Data Dictionary has no code of its own for go to its
# "any other" code of the same broad group (Gypsy or Irish Traveller and Roma are "any
# other White background", Arab is "any other ethnic group").
ETHNIC_CATEGORY_CODE = {
    **{census: code for code, census in NHS_ETHNIC_CATEGORY.items() if code != "99"},
    "W_GYPSY_TRAVELLER": "C",
    "W_ROMA": "C",
    "O_ARAB": "S",
}
ETHNIC_CATEGORY_DISPLAY = {
    "A": "White - British", "B": "White - Irish", "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean", "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian", "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian", "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean", "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other Ethnic Groups - Chinese", "S": "Other Ethnic Groups - Any other ethnic group",
    "Z": "Not stated",
}  # fmt: skip

# NHS Number Status Indicator (England): how sure the sender is of the NHS number.
NHS_NUMBER_STATUS = {
    "01": "Number present and verified",
    "02": "Number present but not traced",
    "03": "Trace required",
    "04": "Trace attempted - No match or multiple match found",
    "05": "Trace needs to be resolved - (NHS number or patient detail conflict)",
    "06": "Trace in progress",
    "07": "Number not present and trace not required",
    "08": "Trace postponed (baby under six weeks old)",
}


def nhs_number_status(text: str) -> str | None:
    """A recorded status as its two-digit code ("1", "01", "01 verified" → "01"), "" when
    none was given, or None when it is not a status."""
    text = (text or "").strip()
    if not text:
        return ""
    head = text.split()[0].zfill(2)
    return head if head in NHS_NUMBER_STATUS else None


@lru_cache(maxsize=512)
def language_tag(name: str) -> tuple[str, str] | None:
    """A language as recorded ("Polish", "Farsi", "British Sign Language", "pl") → its
    BCP-47 tag and English name (``("pl", "Polish")``), or None when no language has that
    name. Uses the IANA and CLDR language data of ``langcodes``."""
    import langcodes

    name = (name or "").strip()
    if not name:
        return None
    try:
        found = langcodes.find(name)
    except LookupError:
        if not langcodes.tag_is_valid(name):
            return None
        found = langcodes.get(name)
    return found.to_tag(), found.display_name()
