"""Belgian national register (NN) and BIS numbers: validation, messages, masking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from stdnum.be import bis, nn

from loket.contracts import (
    LetterIssuedPayload,
    NationalNumber,
    is_valid_national_number,
    kind,
    mask_national_numbers,
    national_numbers_in,
    normalise_national_number,
)
from tests.contracts.examples import payload_dict

VALID_NN = ["85073003328", "17073003384", "00012556777"]
VALID_BIS = ["85493003331", "17213003385"]
INVALID = ["12345678901", "71022722580"]


class Holder(BaseModel):
    number: NationalNumber


@pytest.mark.parametrize("number", VALID_NN + VALID_BIS)
def test_valid_numbers(number: str) -> None:
    assert is_valid_national_number(number)
    assert Holder(number=number).number == number


@pytest.mark.parametrize("number", VALID_NN)
def test_kind_nn(number: str) -> None:
    assert kind(number) == "nn"


@pytest.mark.parametrize("number", VALID_BIS)
def test_kind_bis(number: str) -> None:
    assert kind(number) == "bis"


@pytest.mark.parametrize(
    ("formatted", "compact"),
    [
        ("85.07.30-033.28", "85073003328"),
        ("85 07 30 033 28", "85073003328"),
        ("85-07-30-033-28", "85073003328"),
        (" 85.49.30-033.31 ", "85493003331"),
    ],
)
def test_separators_are_accepted_and_removed(formatted: str, compact: str) -> None:
    assert normalise_national_number(formatted) == compact
    assert Holder(number=formatted).number == compact


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("12345678901", "check digits do not match"),
        ("71022722580", "check digits do not match"),
        ("8507300332", "expected 11 digits, got 10"),
        ("850730033289", "expected 11 digits, got 12"),
        ("85O73003328", "only digits"),
        ("85/07/30/033/28", "only digits"),
        ("٨٥٠٧٣٠٠٣٣٢٨", "only digits"),  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_invalid_numbers_say_why_without_echoing(number: str, problem: str) -> None:
    assert not is_valid_national_number(number)
    with pytest.raises(ValueError) as info:
        normalise_national_number(number)
    message = str(info.value)
    assert problem in message
    assert message.startswith("not a valid Belgian national register or BIS number")
    digits = "".join(c for c in number if c.isdigit())
    assert number not in message and digits not in message


@pytest.mark.parametrize("number", ["12345678901", "85.07.30-033.29", "8507300332"])
def test_contract_models_do_not_echo_the_number_in_errors(number: str) -> None:
    # Our own Holder above would print input_value; event models must not (logs, DLQ).
    with pytest.raises(ValidationError) as info:
        LetterIssuedPayload(**payload_dict("LetterIssued", recipient_national_number=number))
    text = str(info.value)
    assert "recipient_national_number" in text
    assert "not a valid Belgian national register or BIS number" in text
    assert number not in text
    assert "".join(c for c in number if c.isdigit()) not in text


def test_month_out_of_range_is_reported() -> None:
    # 85133003328 with check digits recomputed: month 13 is neither NN (1..12) nor BIS (21..32).
    base = 851330033
    number = f"{base}{97 - base % 97:02d}"
    with pytest.raises(ValueError, match="birth month is out of range") as info:
        normalise_national_number(number)
    assert number not in str(info.value)


def test_non_strings_are_not_valid() -> None:
    assert not is_valid_national_number(85073003328)
    assert not is_valid_national_number(None)
    with pytest.raises(ValidationError):
        Holder(number=85073003328)


def test_json_schema_advertises_compact_digits() -> None:
    schema = Holder.model_json_schema()["properties"]["number"]
    assert schema["type"] == "string"
    assert schema["pattern"] == "^[0-9]{11}$"
    assert "national register" in schema["description"]


def check_digits(nine_digits: str, born_2000_or_later: bool) -> int:
    """The rule from DESIGN.md, written independently of stdnum and of the code under test."""
    value = int(nine_digits) + (2_000_000_000 if born_2000_or_later else 0)
    return 97 - value % 97


THIS_YEAR = date.today().year


@st.composite
def number_parts(draw):
    is_bis = draw(st.booleans())
    born_2000_or_later = draw(st.booleans())
    # A 2000s birth year can only be a past one (stdnum checks the 2000 rule only up to now).
    year = draw(st.integers(0, THIS_YEAR - 2000 if born_2000_or_later else 99))
    month = draw(st.integers(0, 12))
    if is_bis:
        month += draw(st.sampled_from([20, 40]))
    day = draw(st.integers(0, 31))
    counter = draw(st.integers(1, 998))
    base = f"{year:02d}{month:02d}{day:02d}{counter:03d}"
    return base, born_2000_or_later, is_bis


@given(number_parts())
def test_check_digit_rule_yields_numbers_stdnum_accepts(parts) -> None:
    base, born_2000_or_later, is_bis = parts
    number = f"{base}{check_digits(base, born_2000_or_later):02d}"
    assert (bis if is_bis else nn).is_valid(number)
    assert is_valid_national_number(number)
    assert kind(number) == ("bis" if is_bis else "nn")


@given(number_parts(), st.integers(0, 99))
def test_other_check_digits_are_rejected(parts, wrong) -> None:
    base, _, _ = parts
    accepted = {check_digits(base, False)}
    if int(base[:2]) <= THIS_YEAR - 2000:
        accepted.add(check_digits(base, True))
    if wrong in accepted:
        return
    number = f"{base}{wrong:02d}"
    assert not is_valid_national_number(number)
    with pytest.raises(ValueError, match="check digits do not match"):
        normalise_national_number(number)


@pytest.mark.parametrize(
    "text",
    [
        "INSZ 85073003328 refused",
        "INSZ 85.07.30-033.28 refused",
        "BIS 85493003331, NN 85 07 30 033 28 and 17073003384",
        "number=00012556777;",
    ],
)
def test_mask_hides_valid_numbers(text: str) -> None:
    masked = mask_national_numbers(text)
    for number in VALID_NN + VALID_BIS:
        assert number not in masked
    assert "85.07.30-033.28" not in masked and "85 07 30 033 28" not in masked
    assert "***********" in masked


@pytest.mark.parametrize(
    "text",
    [
        "order 12345678901 shipped",  # 11 digits, wrong check digits
        "71022722580",
        "call +32470123456 or 0470 12 34 56",  # phone numbers
        "call +85073003328",  # E.164 that happens to pass the NN check
        "IBAN BE68539007547034, amount 123456789012 cents",
        "",
    ],
)
def test_mask_leaves_other_numbers_alone(text: str) -> None:
    assert mask_national_numbers(text) == text


def test_mask_keeps_the_surrounding_text() -> None:
    assert mask_national_numbers("a 85073003328 b 12345678901 c") == "a *********** b 12345678901 c"


def test_a_scan_finds_the_numbers_the_mask_hides_in_any_grouping() -> None:
    text = "INSZ 85.07.30-033.28, BIS 85493003331 and 85 07 30 033 28; order 12345678901; call +85073003328"
    assert national_numbers_in(text) == {"85073003328", "85493003331"}
    assert national_numbers_in(mask_national_numbers(text)) == set()
