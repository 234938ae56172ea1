"""Cells for CSV files people may open in a spreadsheet: a cell that a spreadsheet would
run as a formula (starting with =, @, a tab or carriage return, or + or - followed by
anything but a number or phone number) is neutralised with a leading apostrophe (OWASP's
advice on CSV injection). Plain numbers and phone numbers such as "+44 20 7946 0000" are
left as they are, so data stays exact where it cannot be harmful."""

import re

_NUMBER_LIKE = re.compile(r"^[+-][0-9 ().+-]*$")


def safe_cell(value):
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    number = _NUMBER_LIKE.match(value) and any(c.isdecimal() for c in value)
    if first in "=@\t\r" or (first in "+-" and not number):
        return "'" + value
    return value
