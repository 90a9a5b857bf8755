from decimal import Decimal

import pytest

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
