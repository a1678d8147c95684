"""One presentation of a trial: what the trial page, the PDF brief, the plain text and the JSON show.

``values``: the one rule for a value that is given, "not in source", "none" or blank, and its words.
``trial``: ``present(record)`` builds, once, the sections, fields, lists, criteria trees, outcomes
and sites of a record, each annotatable item with its ``reviewer.core.items.ItemRef`` and number.
"""
