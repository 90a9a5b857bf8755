from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgen import fmt

NB = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (501534, 0, f"501{NB}534"),
        (-3351, 0, f"{MINUS}3{NB}351"),
        (-3351.2, 0, f"{MINUS}3{NB}351"),
        (4487.5, 0, f"4{NB}488"),  # half up, not half even
        (0.9, 1, "0,9"),
        (-3.6, 1, f"{MINUS}3,6"),
        (-0.04, 1, "0,0"),  # no negative zero
        (47.4, None, "47,4"),
        (80.0, None, "80"),
        (14.25, None, "14,25"),
        (1137, None, f"1{NB}137"),
        (None, 0, "-"),
    ],
)
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_percent_has_space_before_sign():
    assert fmt.percent(0.894) == f"0,9{NB}%"
    assert fmt.percent(-16.3) == f"{MINUS}16,3{NB}%"
    assert fmt.percent(None) == "-"


def test_mnkr_from_tkr():
    assert fmt.mnkr(4487.2) == "4,5 miljoner kronor"
    assert fmt.mnkr(Decimal("501533.6")) == "501,5 miljoner kronor"
    assert fmt.mnkr(None) == "-"


def test_join_list_and_count_words():
    assert fmt.join_list(["a", "b", "c"]) == "a, b och c"
    assert fmt.join_list(["a"]) == "a"
    assert fmt.count_word(7) == "sju"
    assert fmt.count_word(23) == "23"


# --- Decimals that line up ------------------------------------------------------------------

_VALUES = st.lists(st.none() | st.integers(-10**9, 10**9).map(lambda n: n / 10**3)
                   | st.integers(-10**6, 10**6), max_size=8)


def _decimals_in(text: str) -> int:
    return len(text.partition(",")[2])


@settings(max_examples=300, deadline=None, database=None)
@given(_VALUES)
def test_numbers_shown_with_the_decimals_they_need_line_up(values):
    """Every number of a row or column shows the same decimals, no value loses a digit it
    would show alone, and each reads back as the number it shows."""
    decimals = fmt.decimals_shown(values)
    assert 0 <= decimals <= 2
    texts = [fmt.number(v, decimals) for v in values if v is not None]
    assert {_decimals_in(t) for t in texts} <= {decimals}
    for v, text in zip([v for v in values if v is not None], texts, strict=True):
        assert Decimal(str(fmt.parse_number(text))) == fmt.shown(v, None)


@settings(max_examples=300, deadline=None, database=None)
@given(_VALUES, st.integers(0, 6))
def test_declared_decimals_are_shown_by_every_number(values, decimals):
    for v in values:
        if v is not None:
            assert _decimals_in(fmt.number(v, decimals)) == decimals
            assert _decimals_in(fmt.percent(v, decimals).removesuffix(f"{NB}%")) == decimals


def test_a_row_of_indicator_values_lines_up():
    assert [fmt.number(v, fmt.decimals_shown([3.1, -1, 0.9])) for v in (3.1, -1, 0.9)] == [
        "3,1", f"{MINUS}1,0", "0,9"]
