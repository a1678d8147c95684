"""The presentation's one rule for a value's state, its markup, and its items' refs and numbers."""

from __future__ import annotations

from markupsafe import escape

from reviewer.core import items
from reviewer.core.presentation.trial import present
from reviewer.core.presentation.values import BLANK, NONE, NOT_IN_SOURCE, State, given, joined, listed, scalar
from reviewer.core.record import Criterion, Eligibility, Outcome, TrialRecord


def test_one_rule_for_the_four_states():
    assert scalar(None) is BLANK and scalar("") is BLANK
    assert scalar(False).words == "No" and scalar(0).words == "0"
    assert joined(None) is NOT_IN_SOURCE and joined([]) is NONE and joined(["a", "b"]).words == "a; b"
    assert listed(None, str) is None and listed([], str) == [] and listed([1], str) == ["1"]
    assert given("") is None and given("x") == "x" and given([]) == []
    assert [NOT_IN_SOURCE.words, NONE.words, BLANK.words] == ["Not in source", "None", "—"]


def test_a_value_writes_itself_escaped_and_a_state_as_its_markup():
    hostile = scalar("<b>x</b> & y", detail="<i>")
    assert str(escape(hostile)) == '&lt;b&gt;x&lt;/b&gt; &amp; y <span class="muted">(&lt;i&gt;)</span>'
    assert str(escape(State.NOT_IN_SOURCE)) == '<span class="nis">Not in source</span>'
    assert str(escape(BLANK)) == '<span class="none">—</span>'


def test_items_carry_their_ref_number_and_place_in_reading_order():
    inclusion = [Criterion(f"Item {i}") for i in range(1, 11)] + [Criterion("Item 11", [Criterion("Child")])]
    record = TrialRecord(
        registry_id="NCT1",
        eligibility=Eligibility(inclusion=inclusion),
        outcomes=[Outcome("secondary", "Later"), Outcome("primary", "First")],
    )
    p = present(record)
    child = p.criterion("inclusion", "11.1")
    assert child is not None and child.text == "Child" and child.depth == 1
    assert child.entry.ref == items.criterion("inclusion", "11.1") and child.entry.ref.label == "Inclusion criterion 11.1"
    assert p.items[child.entry.n] == child.entry.ref
    assert [g.kind for g in p.outcomes] == ["primary", "secondary"]  # "other" only when it has items
    assert [(o.number, o.measure) for g in p.outcomes for o in g.items] == [("1", "First"), ("1", "Later")]
    assert p.items[0] == items.TRIAL and len(set(p.items)) == len(p.items)
    assert p.outcomes_state is State.GIVEN and p.arms_state is State.NOT_IN_SOURCE
    assert [c.key for c in p.criteria] == ["inclusion", "exclusion"] and p.criteria[1].state is State.NONE


def test_an_unknown_status_says_what_was_last_known_and_since_when():
    from reviewer.core.record import Dates

    verified = Dates(status_verified="2019-03")
    unknown = TrialRecord("NCT1", overall_status="UNKNOWN", last_known_status="RECRUITING", dates=verified)
    status = present(unknown).facts[0].value
    assert (status.text, status.detail) == ("Unknown", "last known: Recruiting; last verified 2019-03")
    recruiting = TrialRecord("NCT2", overall_status="RECRUITING", dates=Dates(status_verified="2026-01"))
    assert present(recruiting).facts[0].value.detail == ""  # a confirmed status needs no date beside it
