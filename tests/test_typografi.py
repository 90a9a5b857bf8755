"""Swedish typography at render time: what the rules set, and that it never leaks back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vbgen.model import doc
from vbgen.writers.typografi import EN_DASH, NBSP, VERBATIM, apply, inlines, undo


def test_numbers_units_and_percent_stay_on_their_line() -> None:
    assert apply("12 300 kronor och 57 % av 1 250 000") == (
        f"12{NBSP}300{NBSP}kronor och 57{NBSP}% av 1{NBSP}250{NBSP}000")
    assert apply("minst 3 år, 4,5 mnkr") == f"minst 3{NBSP}år, 4,5{NBSP}mnkr"
    assert apply("enligt kap. 4 och nr 12") == f"enligt kap.{NBSP}4 och nr{NBSP}12"


def test_ranges_and_spaced_dashes_get_an_en_dash() -> None:
    assert apply("barn 13-20 år") == f"barn 13{EN_DASH}20{NBSP}år"
    assert apply("2019-2023") == f"2019{EN_DASH}2023"
    assert apply("staden växer - social hållbarhet") == (
        f"staden växer{NBSP}{EN_DASH} social hållbarhet")


def test_dates_phones_and_case_numbers_are_left_as_written() -> None:
    assert apply("2024-09-23") == "2024-09-23"
    assert apply("ring 08-123 45") == "ring 08-123 45"
    assert apply("KS 2024/12") == "KS 2024/12"
    assert apply("den 23 september 2024") == f"den 23{NBSP}september{NBSP}2024"


def test_a_number_in_the_node_before_keeps_its_unit() -> None:
    cited = doc.Span([doc.Text("57")], role="tal", mark="[tal: t | r | k]")
    out = inlines([cited, doc.Text(" % av alla")])
    assert out[0] == cited
    assert out[1] == doc.Text(f"{NBSP}% av alla")


def test_cells_keep_short_phrases_and_a_name_s_last_word() -> None:
    assert inlines([doc.Text("Ej klart i år")], cell=True) == [
        doc.Text(f"Ej{NBSP}klart{NBSP}i{NBSP}år")]
    assert inlines([doc.Text("Andel invånare som besökt biblioteket i år")], cell=True) == [
        doc.Text(f"Andel invånare som besökt biblioteket i{NBSP}år")]
    for empty in ("-", "—", EN_DASH):
        assert inlines([doc.Text(empty)], cell=True) == [doc.Text(EN_DASH)]


def test_a_code_span_opts_out() -> None:
    kept = doc.Span([doc.Text("13-20 år")], role=VERBATIM)
    assert inlines([doc.Text("Koden "), kept]) == [doc.Text("Koden "), kept]


@given(st.text(alphabet="0123456789 -–,.%årkrnpsc§()abe\u00a0", max_size=40))
def test_the_rules_keep_the_length_and_undo_takes_them_back(text: str) -> None:
    shown = apply(text)
    assert len(shown) == len(text)
    # A draft read back compares with the data: both taken through undo.
    assert undo(shown) == undo(text)
