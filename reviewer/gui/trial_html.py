"""The trial view's page: a TrialRecord (plus its notes and versions) as HTML for a QTextBrowser.

Every piece of trial text goes through ``esc`` (html.escape): a record can never become markup.
Each annotatable item gets an anchor ``item-N`` and two links: ``add:N`` (write a note on it) and,
when it has notes, a coloured badge per tag linking to ``notes:N``. ``Rendered.items[N]`` says which
(kind, key) item N is: the kind and path of its reviewer.core.items.ItemRef ("inclusion/3.2",
"primary/1", an arm's label, "DRUG:Aspirin", a section name, "" for the trial). A note on a selection
is marked on the item it lies in (its own kind and key).

A part the source does not carry (a list that is None) reads "Not in source" in grey italics; a part
the source carries empty reads "None"; a scalar the source leaves out reads "—".
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core import vocab
from ..core.items import SECTION_TITLES, SECTIONS
from ..core.record import Arm, Criterion, Intervention, TrialRecord

TAG_ORDER = ("concern", "question", "suggestion", "ok", None)
MAX_SITES = 150  # sites listed in the page; the rest are counted (the source tab has them all)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def esc_block(text: str) -> str:
    """Multi-line text: paragraphs at blank lines, line breaks kept."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{esc(p).replace(chr(10), '<br>')}</p>" for p in parts if p)


NOT_IN_SOURCE = '<span class="nis">Not in source</span>'
NONE = '<span class="none">None</span>'
DASH = '<span class="none">—</span>'


def value(v: Any) -> str:
    if v is None or v == "":
        return DASH
    if isinstance(v, bool):
        return "Yes" if v else "No"
    return esc(v)


def code(v: str | None) -> str:
    return esc(vocab.label(v)) if v else DASH


@dataclass
class Rendered:
    html: str
    items: list[tuple[str, str]] = field(default_factory=list)  # item N -> (kind, key)

    def anchor_of(self, kind: str, key: str) -> str | None:
        try:
            return f"item-{self.items.index((kind, key))}"
        except ValueError:
            return None


class _Page:
    """Accumulates the HTML and the item registry."""

    def __init__(self, notes: Iterable[dict], marks: bool = True):
        self.out: list[str] = []
        self.items: list[tuple[str, str]] = []
        self.marks_enabled = marks
        self.by_item: dict[tuple[str, str], list[dict]] = {}
        self.orphans: list[dict] = []
        for note in notes:
            if note.get("orphaned"):
                self.orphans.append(note)
            else:
                self.by_item.setdefault((note["item_kind"], note["item_key"]), []).append(note)

    def add(self, text: str) -> None:
        self.out.append(text)

    def item(self, kind: str, key: str) -> tuple[str, str]:
        """Register an item; returns (anchor tag, marks html)."""
        n = len(self.items)
        self.items.append((kind, key))
        anchor = f'<a name="item-{n}"></a>'
        if not self.marks_enabled:
            return anchor, ""
        notes = self.by_item.get((kind, key), [])
        badges = []
        counts = Counter(note.get("tag") for note in notes)
        for tag in TAG_ORDER:
            if counts.get(tag):
                words = tag or "note"
                badges.append(
                    f'<a href="notes:{n}" style="text-decoration:none">'
                    f'<span class="badge-{tag or "none"}">&nbsp;{esc(words)}&nbsp;{counts[tag]}&nbsp;</span></a>'
                )
        add = f'<a class="add" href="add:{n}" title="Add a note">&nbsp;✎</a>'
        return anchor, (" " + " ".join(badges) if badges else "") + add

    def section(self, name: str) -> None:
        anchor, marks = self.item("section", name)
        self.add(f'<h2><a name="sec-{name}"></a>{anchor}{esc(SECTION_TITLES[name])}{marks}</h2>')

    def facts(self, pairs: list[tuple[str, str]], per_row: int = 4) -> None:
        """Small table of field (muted, above) and value, ``per_row`` fields a row."""
        self.add('<table class="facts" cellspacing="0" cellpadding="0">')
        for start in range(0, len(pairs), per_row):
            self.add("<tr>")
            for name, shown in pairs[start : start + per_row]:
                self.add(f'<td><span class="field">{esc(name)}</span><br>{shown}</td>')
            self.add("</tr>")
        self.add("</table>")

    def field(self, name: str, shown: str) -> None:
        self.add(f'<p><span class="field">{esc(name)}:</span> {shown}</p>')


def _date(value_: str | None, kind: str | None) -> str:
    if not value_:
        return DASH
    return esc(value_) + (f' <span class="muted">({esc(vocab.label(kind).lower())})</span>' if kind else "")


def _terms(items: list[str] | None) -> str:
    if items is None:
        return NOT_IN_SOURCE
    if not items:
        return NONE
    return esc("; ".join(items))


def render_trial(
    record: TrialRecord,
    *,
    notes: Iterable[dict] = (),
    versions: list[dict] | None = None,
    shown_version: dict | None = None,
    current_version_id: int | None = None,
    format_labels: dict[str, str] | None = None,
) -> Rendered:
    """The whole page of one trial (the version ``shown_version``; notes marked on the current one)."""
    is_current = shown_version is None or shown_version.get("id") == current_version_id
    page = _Page(notes, marks=is_current)
    r = record
    title = r.brief_title or r.official_title or r.registry_id
    anchor, marks = page.item("trial", "")
    page.add(f"<h1>{anchor}{esc(title)}{marks}</h1>")
    ids = [esc(r.registry_id)]
    if r.acronym:
        ids.append(esc(r.acronym))
    for ident in r.identifiers:
        if ident.kind != "nct" and ident.value != r.registry_id:
            kind = {"org_study": "Org study id", "secondary": "Secondary id", "alias": "Alias"}.get(
                ident.kind, ident.kind
            )
            ids.append(f"{esc(kind)} {esc(ident.value)}")
    page.add(f'<p class="ids">{" · ".join(ids)}</p>')
    if not is_current and shown_version:
        page.add(
            f'<p class="banner">&nbsp;You are reading version {esc(shown_version["number"])} of this trial, '
            f'not the current one. <a href="version:current">Show the current version</a>&nbsp;</p>'
        )
    d = r.design
    status = code(r.overall_status)
    if r.why_stopped:
        status += f' <span class="muted">({esc(r.why_stopped)})</span>'
    enrollment = value(d.enrollment_count)
    if d.enrollment_count is not None and d.enrollment_type:
        enrollment += f' <span class="muted">({esc(vocab.label(d.enrollment_type).lower())})</span>'
    page.facts(
        [
            ("Status", status),
            ("Phase", esc(vocab.phases_label(d.phases)) if d.phases else DASH),
            ("Study type", code(d.study_type)),
            ("Enrollment", enrollment),
            ("Sponsor", esc(r.lead_sponsor.name) if r.lead_sponsor else DASH),
            ("Start", _date(r.dates.start, r.dates.start_type)),
            ("Primary completion", _date(r.dates.primary_completion, r.dates.primary_completion_type)),
            ("Completion", _date(r.dates.completion, r.dates.completion_type)),
            ("First posted", value(r.dates.first_posted)),
            ("Last update", value(r.dates.last_update_posted)),
        ],
        per_row=5,
    )
    page.add(
        '<p class="nav">'
        + " · ".join(f'<a class="nav" href="#sec-{name}">{esc(title_)}</a>' for name, title_ in SECTIONS)
        + "</p>"
    )
    _overview(page, r)
    _design(page, r)
    _arms(page, r)
    _eligibility(page, r)
    _outcomes(page, r)
    _sponsors(page, r)
    _documents(page, r)
    _versions(page, versions or [], shown_version, current_version_id, format_labels or {})
    _source(page, shown_version, format_labels or {})
    _orphans(page)
    return Rendered("".join(page.out), page.items)


def _overview(page: _Page, r: TrialRecord) -> None:
    page.section("overview")
    if r.official_title and r.official_title != r.brief_title:
        page.field("Official title", esc(r.official_title))
    page.add("<h3>Summary</h3>")
    page.add(esc_block(r.brief_summary) if r.brief_summary else f"<p>{DASH}</p>")
    if r.detailed_description:
        page.add("<h3>Description</h3>")
        page.add(esc_block(r.detailed_description))
    page.field("Conditions", _terms(r.conditions))
    page.field("Keywords", _terms(r.keywords))


def _design(page: _Page, r: TrialRecord) -> None:
    page.section("design")
    d = r.design
    pairs = [("Study type", code(d.study_type)), ("Primary purpose", code(d.primary_purpose))]
    if d.study_type == "OBSERVATIONAL" or d.observational_model or d.time_perspective:
        pairs += [
            ("Observational model", code(d.observational_model)),
            ("Time perspective", code(d.time_perspective)),
        ]
    if d.study_type != "OBSERVATIONAL":
        masking = code(d.masking)
        if d.who_masked:
            masking += f" ({esc(', '.join(vocab.label(w) for w in d.who_masked))})"
        pairs += [
            ("Allocation", code(d.allocation)),
            ("Intervention model", code(d.intervention_model)),
            ("Masking", masking),
        ]
    pairs.append(("Data monitoring committee", value(r.has_dmc)))
    page.facts(pairs, per_row=3)
    if d.intervention_model_description:
        page.field("Model description", esc(d.intervention_model_description))
    if d.masking_description:
        page.field("Masking description", esc(d.masking_description))


def arm_gets(arm: Arm, intervention: Intervention) -> bool:
    """Whether an arm receives an intervention (either side of the source's cross-reference)."""
    if arm.label in intervention.arm_labels:
        return True
    for name in arm.intervention_names:
        tail = name.split(":", 1)[1].strip() if ":" in name else name.strip()
        if tail == intervention.name or name.strip() == intervention.name:
            return True
    return False


def _arms(page: _Page, r: TrialRecord) -> None:
    from ..core.items import intervention
    page.section("arms")
    arms, interventions = r.arms, r.interventions
    if arms is None and interventions is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
        return
    if arms and interventions:
        page.add('<table class="grid" border="1" cellspacing="0" cellpadding="4" width="100%">')
        page.add('<tr><th align="left">Intervention</th>')
        for arm in arms:
            page.add(
                f'<th align="center">{esc(arm.label)}<br><span class="muted">{code(arm.type)}</span></th>'
            )
        page.add("</tr>")
        for item in interventions:
            page.add(f'<tr><td>{esc(item.name)}<br><span class="muted">{code(item.type)}</span></td>')
            for arm in arms:
                mark = "●" if arm_gets(arm, item) else ""
                page.add(f'<td class="mark" align="center">{mark}</td>')
            page.add("</tr>")
        page.add("</table>")
    page.add('<p style="margin-top:0px; margin-bottom:0px">&nbsp;</p><h3>Arms</h3>')
    if arms is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
    elif not arms:
        page.add(f"<p>{NONE}</p>")
    for arm in arms or []:
        anchor, marks = page.item("arm", arm.label)
        page.add(f'<p>{anchor}<b>{esc(arm.label)}</b> <span class="muted">{code(arm.type)}</span>{marks}')
        if arm.description:
            page.add(f"<br>{esc(arm.description)}")
        if arm.intervention_names and not interventions:
            page.add(
                f'<br><span class="field">Interventions:</span> {esc("; ".join(arm.intervention_names))}'
            )
        page.add("</p>")
    page.add("<h3>Interventions</h3>")
    if interventions is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
    elif not interventions:
        page.add(f"<p>{NONE}</p>")
    for item in interventions or []:
        anchor, marks = page.item("intervention", intervention(item.type, item.name).path)
        page.add(f'<p>{anchor}<b>{esc(item.name)}</b> <span class="muted">{code(item.type)}</span>{marks}')
        if item.other_names:
            page.add(f'<br><span class="field">Other names:</span> {esc("; ".join(item.other_names))}')
        if item.description:
            page.add(f"<br>{esc(item.description)}")
        page.add("</p>")


def _criteria(page: _Page, section: str, items: list[Criterion], prefix: str = "", depth: int = 0) -> None:
    for n, item in enumerate(items, 1):
        number = f"{prefix}{n}"
        anchor, marks = page.item("criterion", f"{section}/{number}")
        indent = 4 + depth * 26
        page.add(
            f'<p style="margin-left:{indent}px">{anchor}<span class="num">{esc(number)}.</span> '
            f"{esc(item.text)}{marks}</p>"
        )
        if item.children:
            _criteria(page, section, item.children, number + ".", depth + 1)


def _eligibility(page: _Page, r: TrialRecord) -> None:
    page.section("eligibility")
    e = r.eligibility
    if e is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
        return
    if e.minimum_age or e.maximum_age:
        ages = f"{esc(e.minimum_age or 'no minimum')} to {esc(e.maximum_age or 'no maximum')}"
    else:
        ages = DASH
    page.facts(
        [
            ("Sex", code(e.sex)),
            ("Ages", ages),
            ("Age groups", esc(", ".join(vocab.label(a) for a in e.std_ages)) if e.std_ages else DASH),
            ("Healthy volunteers", value(e.healthy_volunteers)),
        ]
    )
    parts = (
        ("inclusion", "Inclusion criteria"),
        ("exclusion", "Exclusion criteria"),
        ("other", "Other criteria"),
    )
    any_items = e.inclusion or e.exclusion or e.other
    for section, heading in parts:
        items = getattr(e, section)
        if section == "other" and not items:
            continue
        page.add(f"<h3>{heading}</h3>")
        if items:
            _criteria(page, section, items)
        else:
            page.add(f"<p>{NONE}</p>")
    if not any_items and e.criteria_text:
        page.add("<h3>Criteria as written</h3>")
        page.add(esc_block(e.criteria_text))


def _outcomes(page: _Page, r: TrialRecord) -> None:
    page.section("outcomes")
    if r.outcomes is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
        return
    for kind in ("primary", "secondary", "other"):
        items = r.outcomes_of(kind) or []
        if kind == "other" and not items:
            continue
        page.add(f"<h3>{kind.capitalize()} outcomes</h3>")
        if not items:
            page.add(f"<p>{NONE}</p>")
        for n, outcome in enumerate(items, 1):
            anchor, marks = page.item("outcome", f"{kind}/{n}")
            page.add(
                f'<p style="margin-left:4px">{anchor}<span class="num">{n}.</span> <b>{esc(outcome.measure)}</b>{marks}'
            )
            page.add(f'<br><span class="field">Time frame:</span> {value(outcome.time_frame)}')
            if outcome.description:
                page.add(f"<br>{esc(outcome.description)}")
            page.add("</p>")


def _contact(c) -> str:
    parts = [
        esc(c.name) if c.name else None,
        code(c.role) if c.role else None,
        esc(c.affiliation) if c.affiliation else None,
    ]
    contact = ", ".join(p for p in (c.phone, c.email) if p)
    text = " · ".join(p for p in parts if p) or DASH
    return text + (f' <span class="muted">{esc(contact)}</span>' if contact else "")


def _sponsors(page: _Page, r: TrialRecord) -> None:
    page.section("sponsors")
    if r.lead_sponsor:
        lead = esc(r.lead_sponsor.name)
        if r.lead_sponsor.agency_class:
            lead += f' <span class="muted">({code(r.lead_sponsor.agency_class)})</span>'
    else:
        lead = DASH
    page.field("Lead sponsor", lead)
    if r.collaborators is None:
        page.field("Collaborators", NOT_IN_SOURCE)
    else:
        page.field(
            "Collaborators", esc("; ".join(s.name for s in r.collaborators)) if r.collaborators else NONE
        )
    for heading, people in (("Officials", r.officials), ("Central contacts", r.central_contacts)):
        if people is None:
            page.field(heading, NOT_IN_SOURCE)
        elif not people:
            page.field(heading, NONE)
        else:
            page.add(f'<p><span class="field">{heading}:</span></p>')
            for person in people:
                page.add(f'<p style="margin-left:16px">{_contact(person)}</p>')
    page.add("<h3>Sites</h3>")
    if r.locations is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
        return
    if not r.locations:
        page.add(f"<p>{NONE}</p>")
        return
    countries = Counter(loc.country or "country not given" for loc in r.locations)
    page.add(
        f"<p>{len(r.locations)} site(s) in "
        + esc(", ".join(f"{name} ({count})" for name, count in countries.most_common()))
        + "</p>"
    )
    page.add('<table class="grid" border="1" cellspacing="0" cellpadding="3" width="100%">')
    page.add(
        '<tr><th align="left">Facility</th><th align="left">City</th><th align="left">Country</th>'
        '<th align="left">Status</th></tr>'
    )
    for loc in r.locations[:MAX_SITES]:
        city = ", ".join(x for x in (loc.city, loc.state) if x)
        page.add(
            f"<tr><td>{value(loc.facility)}</td><td>{value(city)}</td><td>{value(loc.country)}</td>"
            f"<td>{code(loc.status)}</td></tr>"
        )
    page.add("</table>")
    if len(r.locations) > MAX_SITES:
        page.add(
            f'<p class="muted">… and {len(r.locations) - MAX_SITES} more sites '
            '(all of them are in the <a href="source:">source text</a>)</p>'
        )


def _documents(page: _Page, r: TrialRecord) -> None:
    page.section("documents")
    if r.documents is None:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
        return
    if not r.documents:
        page.add(f"<p>{NONE}</p>")
        return
    for doc in r.documents:
        name = doc.label or doc.type_abbrev or doc.filename or "Document"
        details = [
            x
            for x in (doc.date and f"dated {doc.date}", doc.filename, doc.size and f"{doc.size:,} bytes")
            if x
        ]
        page.add(f'<p><b>{esc(name)}</b> <span class="muted">{esc(" · ".join(details))}</span>')
        if doc.url:
            page.add(f'<br><span class="muted">{esc(doc.url)}</span>')
        page.add("</p>")


def _versions(
    page: _Page, versions: list[dict], shown: dict | None, current_id: int | None, labels: dict[str, str]
) -> None:
    page.add('<h2><a name="sec-versions"></a>Versions</h2>')
    if not versions:
        page.add(f"<p>{NONE}</p>")
        return
    page.add('<table class="grid" border="1" cellspacing="0" cellpadding="3" width="100%">')
    page.add(
        '<tr><th align="left">#</th><th align="left">Imported</th><th align="left">Record date</th>'
        '<th align="left">Format</th><th align="left">File</th><th align="left"></th></tr>'
    )
    for v in versions:
        state = []
        if v["id"] == current_id:
            state.append("current")
        if shown and v["id"] == shown.get("id"):
            state.append("shown")
        action = esc(", ".join(state)) if state else f'<a href="version:{v["id"]}">show</a>'
        page.add(
            f"<tr><td>{esc(v['number'])}</td><td>{esc(v['imported_at'])}</td><td>{value(v.get('version_date'))}</td>"
            f"<td>{esc(labels.get(v['source_format'], v['source_format']))}</td>"
            f"<td>{esc(v['source_name'])}</td><td>{action}</td></tr>"
        )
    page.add("</table>")


def _source(page: _Page, shown: dict | None, labels: dict[str, str]) -> None:
    page.add('<h2><a name="sec-source"></a>Source</h2>')
    if not shown:
        page.add(f"<p>{NOT_IN_SOURCE}</p>")
        return
    fmt = labels.get(shown["source_format"], shown["source_format"])
    page.add(
        f'<p><span class="field">Format:</span> {esc(fmt)} · <span class="field">File:</span> '
        f"{esc(shown['source_name'])} · {shown['source_size']:,} bytes</p>"
        '<p><a href="source:">Show the original document</a></p>'
    )


def _orphans(page: _Page) -> None:
    """Notes whose item is gone (orphans, with their quote) or not on the page."""
    from ..core.items import label_of

    shown = set(page.items)
    leftover = page.orphans + [note for item, notes in page.by_item.items() if item not in shown for note in notes]
    if not leftover:
        return
    page.add('<h2><a name="sec-orphans"></a>Notes on items not shown above</h2>')
    for note in leftover:
        n = len(page.items)
        page.items.append((note["item_kind"], note["item_key"]))
        tag = note.get("tag")
        page.add(
            f'<p><a name="item-{n}"></a><span class="badge-{tag or "none"}">&nbsp;{esc(tag or "note")}&nbsp;</span> '
            f"<b>{esc(label_of(note))}</b>: {esc(note['body'])}"
            + (f'<br><span class="orphan">was: “{esc(note["quote"])}”</span>' if note.get("quote") else "")
            + "</p>"
        )
