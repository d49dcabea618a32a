from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.cases.references import (
    InvalidReference,
    Reference,
    check_digits,
    find_references,
    format_reference,
    parse_reference,
)

years = st.integers(min_value=2000, max_value=2099)
sequences = st.integers(min_value=1, max_value=999_999)


def test_format_has_prefix_year_sequence_and_mod_97_check_digits() -> None:
    assert format_reference("MI", 2026, 4217) == "MI-2026-004217-40"
    assert 2026004217 % 97 == 40


def test_a_remainder_of_zero_becomes_97() -> None:
    # 2026000000 + s divisible by 97: find one and check the rule.
    sequence = next(s for s in range(1, 200) if int(f"2026{s:06d}") % 97 == 0)
    assert check_digits(2026, sequence) == 97


@pytest.mark.parametrize(
    "typed",
    [
        "MI-2026-004217-40",
        "mi 2026 004217 40",
        "MI2026004217 40",
        " mi-2026-004217-40 ",
        "Mi.2026.004217.40",
        "MI--2026--004217--40",
    ],
)
def test_parsing_tolerates_spaces_dashes_and_case(typed: str) -> None:
    assert parse_reference(typed) == Reference("MI", 2026, 4217)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "hello",
        "MI-2026-004217",
        "MI-2026-004217-41",
        "MI-26-004217-40",
        "2026-004217-40",
        "MI-2026-000000-97",
    ],
)
def test_parsing_rejects_what_is_not_a_valid_number(typed: str) -> None:
    with pytest.raises(InvalidReference):
        parse_reference(typed)


@given(years, sequences)
def test_every_formatted_number_parses_back(year: int, sequence: int) -> None:
    assert parse_reference(format_reference("MI", year, sequence)) == Reference(
        "MI", year, sequence
    )


@given(years, sequences, st.data())
def test_one_mistyped_digit_is_always_rejected(
    year: int, sequence: int, data: st.DataObject
) -> None:
    text = format_reference("MI", year, sequence)
    digit_positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    position = data.draw(st.sampled_from(digit_positions))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != text[position]]))
    typo = text[:position] + wrong + text[position + 1 :]
    with pytest.raises(InvalidReference):
        parse_reference(typo)


@given(years, sequences, st.data())
def test_two_swapped_neighbouring_digits_are_always_rejected(
    year: int, sequence: int, data: st.DataObject
) -> None:
    digits = f"{year:04d}{sequence:06d}{check_digits(year, sequence):02d}"
    pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if not pairs:
        return  # all digits equal: a swap changes nothing, so there is no typo to catch
    i = data.draw(st.sampled_from(pairs))
    swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    with pytest.raises(InvalidReference):
        parse_reference("MI" + swapped)


def test_references_are_found_in_a_mail_subject_and_bad_ones_ignored() -> None:
    subject = (
        "Re: AW: Antw: vraag mi 2026 004217 40 en MI-2026-004218-99 (fout) en MI-2025-000001-65"
    )
    found = find_references(subject)
    assert [str(r) for r in found] == ["MI-2026-004217-40", str(Reference("MI", 2025, 1))]
