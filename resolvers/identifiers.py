"""Checksums and formats of the identifiers a ledger carries (SPEC.md, "Identifiers").

Each ``*_problem`` function returns ``None`` for a valid value or a short English message saying
what is wrong; the importer turns that message into ``file:line: column: message``.
The ``*_check_char`` helpers are shared with the seed generator, which must produce valid values.
"""

from __future__ import annotations

import datetime as dt
import re

CITIZEN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CITIZEN_CHECK = "10X98765432"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def citizen_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a citizen ID."""
    return CITIZEN_CHECK[sum(int(d) * w for d, w in zip(first17, CITIZEN_WEIGHTS, strict=True)) % 11]


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def date_problem(value: str) -> str | None:
    """``None`` when ``value`` is a real calendar date written ``YYYY-MM-DD``."""
    if not _ISO_DATE.fullmatch(value):
        return f"'{value}' is not a date (YYYY-MM-DD)"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"'{value}' is not a real date"
    return None


def citizen_id_problem(value: str, birth_date: str | None, gender: str | None) -> str | None:
    """Checks length, digits, checksum, and agreement with the row's birth date and gender.

    Messages never repeat the ID number itself: it is personal data.
    """
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return "must be 17 digits and a check character (0-9 or X)"
    if citizen_check_char(value[:17]) != value[17]:
        return "check character does not match (GB 11643)"
    born = value[6:14]
    born_iso = f"{born[:4]}-{born[4:6]}-{born[6:]}"
    if date_problem(born_iso):
        return "digits 7-14 are not a real birth date"
    if birth_date and born_iso != birth_date:
        return "birth date in the ID number differs from birth_date"
    if gender and ("M" if int(value[16]) % 2 else "F") != gender:
        return "digit 17 (odd = male, even = female) disagrees with gender"
    return None


def uscc_problem(value: str) -> str | None:
    """Checks the 18-character unified social credit code and its check character."""
    if len(value) != 18 or any(c not in _USCC_VALUE for c in value):
        return f"'{value}' must be 18 characters from {USCC_CHARSET}"
    if uscc_check_char(value[:17]) != value[17]:
        return f"'{value}' has a wrong check character (GB 32100)"
    return None


def phone_problem(value: str) -> str | None:
    """Mobile ``1[3-9]`` + 9 digits, or landline ``0`` + area code + 7-8 digits."""
    if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
        return None
    return "is neither a mobile (1[3-9] + 9 digits) nor a landline (0 + area code + 7-8 digits)"


CODE_LENGTHS = {"DISTRICT": 6, "STREET": 9, "COMMUNITY": 12}


def region_code_problem(code: str, level: str, parent_code: str | None) -> str | None:
    """Codes are digits; districts, streets and communities have fixed lengths and their parent's prefix."""
    if not code.isdigit():
        return f"'{code}' must be digits"
    want = CODE_LENGTHS.get(level)
    if want is not None and len(code) != want:
        return f"'{code}' must have {want} digits for level {level}"
    if parent_code and not code.startswith(parent_code):
        return f"'{code}' does not start with its parent's code '{parent_code}'"
    return None
