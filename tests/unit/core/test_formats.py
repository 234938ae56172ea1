import pytest
from django.core.exceptions import ValidationError

from joinedup.core.actions import normalise_postcode, validate_ods_code
from joinedup.core.forms import parse_date_parts
from joinedup.core.models import Lsoa, OrganisationType


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nw12db", "NW1 2DB"),
        ("NW1 2DB", "NW1 2DB"),
        (" ec1a 1bb ", "EC1A 1BB"),
        ("W1A0AX", "W1A 0AX"),
    ],
)
def test_postcodes_are_normalised(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "NW1", "12345", "NW1 2D", "<script>"])
def test_malformed_postcodes_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_postcode(raw)


@pytest.mark.parametrize(
    ("code", "type"),
    [
        ("F83004", OrganisationType.GP_PRACTICE),
        ("f83004", OrganisationType.GP_PRACTICE),
        ("RAL", OrganisationType.ACUTE_TRUST),
        ("RAL01", OrganisationType.ACUTE_TRUST),
        ("FQ123", OrganisationType.PHARMACY),
        ("QMJ", OrganisationType.ICB),
        (None, OrganisationType.VOLUNTARY),
    ],
)
def test_valid_ods_codes(code, type):
    assert validate_ods_code(code, type) == (code.upper() if code else None)


@pytest.mark.parametrize(
    ("code", "type"),
    [
        ("F8300", OrganisationType.GP_PRACTICE),
        ("RAL", OrganisationType.GP_PRACTICE),
        ("XAL", OrganisationType.ACUTE_TRUST),
        ("A12", OrganisationType.PHARMACY),
        ("Q!", OrganisationType.ICB),
        (None, OrganisationType.GP_PRACTICE),
    ],
)
def test_invalid_ods_codes_name_the_field(code, type):
    with pytest.raises(ValidationError) as caught:
        validate_ods_code(code, type)
    assert "ods_code" in caught.value.message_dict


def test_imd_quintile_from_decile():
    assert [Lsoa(imd_decile=d).imd_quintile for d in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"d-day": "15", "d-month": "3", "d-year": "1984"}, None),
        ({}, None),
        ({"d-day": "15", "d-month": "", "d-year": "1984"}, "must include"),
        ({"d-day": "31", "d-month": "2", "d-year": "1984"}, "real date"),
        ({"d-day": "x", "d-month": "2", "d-year": "1984"}, "real date"),
        ({"d-day": "1", "d-month": "2", "d-year": "84"}, "real date"),
        # What the NHS.UK date input component sends.
        ({"d[day]": "15", "d[month]": "3", "d[year]": "1984"}, None),
        ({"d[day]": "15", "d[month]": "", "d[year]": "1984"}, "must include"),
    ],
)
def test_date_parts(data, error):
    value, message = parse_date_parts(data, "d", "Date")
    if error:
        assert error in message and value is None
    else:
        assert message is None


@pytest.mark.parametrize(
    ("count", "words", "expected"),
    [
        (1, ("seat",), "1 seat"),
        (0, ("seat",), "0 seats"),
        (2, ("seat",), "2 seats"),
        (1, ("person", "people"), "1 person"),
        (1200, ("person", "people"), "1,200 people"),
        ("1", ("comment",), "1 comment"),
        ("≤7", ("person", "people"), "≤7 people"),
        (None, ("comment",), "0 comments"),
    ],
)
def test_counts_agree_with_their_nouns(count, words, expected):
    from joinedup.core.jinja_env import plural

    assert plural(count, *words) == expected


def test_the_plural_filter_in_a_template():
    from joinedup.core.jinja_env import environment

    template = environment(autoescape=True).from_string(
        "{{ 1 | plural('seat') }}; {{ 3 | plural('person', 'people') }}"
    )
    assert template.render() == "1 seat; 3 people"
