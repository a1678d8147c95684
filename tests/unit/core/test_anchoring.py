"""A note's quote is found again in a new version: on its item, on the item it moved to, on the
reworded item, or nowhere (an orphan), never on an item it was not written about."""

from __future__ import annotations

from reviewer.core.anchoring import MIN_QUOTE_SCORE, Target, find, selector_for

ITEMS = [
    Target("inclusion/1", "Age 18 years or older at the time of signing the informed consent"),
    Target("inclusion/2", "Histologically confirmed non-small cell lung cancer, stage IIIB or IV"),
    Target("inclusion/3", "ECOG performance status of 0 or 1"),
    Target("inclusion/4", "Adequate bone marrow function: ANC >= 1.5 x 10^9/L and platelets >= 100 x 10^9/L"),
]


def selector(key, start_word, end_word):
    text = next(t.text for t in ITEMS if t.key == key)
    start, end = text.index(start_word), text.index(end_word) + len(end_word)
    return selector_for(text, start, end), start


def test_unchanged_item_keeps_the_note_where_it_was():
    sel, start = selector("inclusion/4", "ANC", "10^9/L")
    found = find(sel, "inclusion/4", 3, ITEMS, start)
    assert (found.key, found.how, found.start) == ("inclusion/4", "unchanged", start)


def test_an_item_renumbered_by_an_insertion_takes_its_notes_along():
    sel, start = selector("inclusion/3", "ECOG", "1")
    new = [ITEMS[0], Target("inclusion/2", "Measurable disease per RECIST 1.1"), *[
        Target(f"inclusion/{n + 1}", t.text) for n, t in enumerate(ITEMS[1:], 2)
    ]]
    found = find(sel, "inclusion/3", 2, new, start)
    assert (found.key, found.how) == ("inclusion/4", "renumbered")
    assert new[3].text[found.start : found.end] == sel.exact


def test_a_reworded_item_keeps_the_note_with_the_new_offsets():
    sel, start = selector("inclusion/4", "ANC", "10^9/L")
    new = [*ITEMS[:3], Target("inclusion/4", "Adequate marrow function: absolute neutrophil count (ANC) >= 1.5 x 10^9/L; platelets >= 100 x 10^9/L")]
    found = find(sel, "inclusion/4", 3, new, start)
    assert (found.key, found.how) == ("inclusion/4", "reworded")
    assert new[3].text[found.start : found.end].startswith("ANC")


def test_the_same_words_in_another_item_are_told_apart_by_their_context():
    items = [
        Target("inclusion/1", "Women of childbearing potential must use contraception during treatment"),
        Target("exclusion/1", "Men who do not agree to use contraception during treatment and for 6 months after"),
    ]
    sel = selector_for(items[1].text, items[1].text.index("use"), items[1].text.index("treatment") + 9)
    moved = [Target("exclusion/2", items[1].text), Target("inclusion/1", items[0].text)]
    assert find(sel, "exclusion/1", 1, moved).key == "exclusion/2"


def test_a_deleted_item_orphans_its_note_instead_of_moving_it_to_a_neighbour():
    sel, start = selector("inclusion/3", "ECOG", "1")
    new = [t for t in ITEMS if t.key != "inclusion/3"]
    assert find(sel, "inclusion/3", 2, new, start) is None


def test_a_quote_mostly_rewritten_is_not_found():
    sel, start = selector("inclusion/2", "Histologically", "IV")
    new = [ITEMS[0], Target("inclusion/2", "Any solid tumour with documented progression on prior therapy")]
    assert find(sel, "inclusion/2", 1, new, start) is None
    assert 0 < MIN_QUOTE_SCORE < 1


def test_punctuation_and_case_do_not_count_as_rewording():
    sel, start = selector("inclusion/3", "ECOG", "1")
    new = [Target("inclusion/3", "ecog performance status of 0, or 1.")]
    found = find(sel, "inclusion/3", 2, new, start)
    assert found is not None and found.score > 0.9
