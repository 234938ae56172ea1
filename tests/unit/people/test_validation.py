from datetime import date

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from joinedup.people.validation import (
    clean_birth_date,
    clean_death_date,
    clean_nhs_number,
    search_form,
)
from joinedup.synth.borough import nhs_numbers

# Published examples: 943 476 5919 is NHS Digital's documented valid example.
VALID = ["9434765919", "943 476 5919", "943-476-5919", "9990000018", "4010232137"]
INVALID = {
    "9434765910": "check digit",  # last digit changed
    "9434765918": "check digit",
    "1000000001": "check digit",  # Modulus 11 gives 10: never issued
    "943476591": "10 digits",
    "94347659190": "10 digits",
    "94347659AB": "only digits",
    "abcdefghij": "only digits",
}


@pytest.mark.parametrize("value", VALID)
def test_valid_nhs_numbers_are_accepted_and_compacted(value):
    assert clean_nhs_number(value) == value.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(("value", "reason"), INVALID.items())
def test_invalid_nhs_numbers_name_the_field_and_the_reason(value, reason):
    with pytest.raises(ValidationError) as caught:
        clean_nhs_number(value)
    assert "nhs_number" in caught.value.message_dict
    assert reason in caught.value.message_dict["nhs_number"][0]


def test_blank_nhs_number_is_allowed():
    assert clean_nhs_number("  ") is None
    assert clean_nhs_number(None) is None


# England and Wales issue NHS numbers from 400 000 000x to 499 999 999x.
@given(st.integers(min_value=400_000_000, max_value=499_999_999), st.integers(0, 9))
def test_only_the_modulus_11_check_digit_is_accepted(base, digit):
    weights = range(10, 1, -1)
    digits = [int(d) for d in f"{base:09d}"]
    check = (11 - sum(w * d for w, d in zip(weights, digits, strict=True)) % 11) % 11
    number = f"{base:09d}{digit}"
    if check == 10 or digit != check:
        with pytest.raises(ValidationError):
            clean_nhs_number(number)
    else:
        assert clean_nhs_number(number) == number


def test_synthetic_numbers_are_valid_unique_and_in_the_999_test_range():
    numbers = nhs_numbers(5000, np.random.default_rng(3))
    assert len(set(numbers)) == 5000
    assert all(n.startswith("999") and clean_nhs_number(n) == n for n in numbers)


def test_birth_date_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="past"):
        clean_birth_date(date(2030, 1, 1), today=date(2026, 11, 23))
    with pytest.raises(ValidationError, match="125 years"):
        clean_birth_date(date(1890, 1, 1), today=date(2026, 11, 23))
    assert clean_birth_date(date(2026, 11, 23), today=date(2026, 11, 23))


def test_death_before_birth_or_in_the_future_is_refused():
    born = date(1950, 1, 1)
    with pytest.raises(ValidationError, match="before the date of birth"):
        clean_death_date(date(1949, 1, 1), birth_date=born, today=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="past"):
        clean_death_date(date(2027, 1, 1), birth_date=born, today=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("O'Brien", "obrien"), ("Zoë", "zoe"), ("SMITH-JONES", "smithjones"), ("  ", "")],
)
def test_search_form(name, expected):
    assert search_form(name) == expected


def test_system_scale_numbers_stay_in_the_synthetic_range():
    import nhs_number

    numbers = nhs_numbers(1_000_000, np.random.default_rng(4))
    assert len(set(numbers)) == 1_000_000
    assert sum(n.startswith("999") for n in numbers) == 900_000
    sample = numbers[::997]
    assert all(nhs_number.is_valid(n, for_region=nhs_number.REGION_SYNTHETIC) for n in sample)
