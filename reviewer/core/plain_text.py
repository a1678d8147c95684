"""A trial as readable plain text, section by section (for `reviewer show`)."""

from __future__ import annotations

import textwrap

from .record import Criterion, TrialRecord
from .vocab import label, phases_label

NOT_IN_SOURCE = "(not in source)"
NONE = "(none)"


def _wrap(text: str, indent: str = "  ", width: int = 100) -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines.extend(
            textwrap.wrap(paragraph, width, initial_indent=indent, subsequent_indent=indent) or [indent]
        )
    return lines


def _criteria(items: list[Criterion], prefix: str = "", depth: int = 1) -> list[str]:
    lines = []
    for n, item in enumerate(items, 1):
        number = f"{prefix}{n}"
        indent = "  " * depth
        lines.extend(
            textwrap.wrap(
                item.text,
                100,
                initial_indent=f"{indent}{number}. ",
                subsequent_indent=indent + " " * (len(number) + 2),
            )
            or [f"{indent}{number}."]
        )
        lines.extend(_criteria(item.children, number + ".", depth + 1))
    return lines


def _field(name: str, value) -> str:
    return f"  {name + ':':<24}{value if value not in (None, '') else '-'}"


def record_text(record: TrialRecord, versions: list[str] | None = None) -> str:
    r, d, e = record, record.design, record.eligibility
    out = [
        f"{r.registry_id}  {r.brief_title or ''}".rstrip(),
        "=" * min(100, len(r.registry_id) + 2 + len(r.brief_title or "")),
    ]
    out += [
        _field("Official title", r.official_title),
        _field("Acronym", r.acronym),
        _field(
            "Status",
            label(r.overall_status)
            + (f" (last known: {label(r.last_known_status)})" if r.last_known_status else ""),
        ),
        _field("Why stopped", r.why_stopped) if r.why_stopped else None,
        _field("Phase", phases_label(d.phases) or "none given"),
        _field("Study type", label(d.study_type)),
        _field("Sponsor", r.lead_sponsor.name if r.lead_sponsor else None),
        _field(
            "Enrollment",
            f"{d.enrollment_count} {label(d.enrollment_type).lower()}".strip()
            if d.enrollment_count is not None
            else None,
        ),
        _field("Start", r.dates.start),
        _field("Primary completion", r.dates.primary_completion),
        _field("Completion", r.dates.completion),
        _field("Last update posted", r.dates.last_update_posted),
        _field("Identifiers", ", ".join(i.value for i in r.identifiers)),
    ]
    out = [line for line in out if line is not None]

    def section(title: str) -> None:
        out.extend(["", title, "-" * len(title)])

    def listed(values, render, indent: str = "  ") -> None:
        if values is None:
            out.append(indent + NOT_IN_SOURCE)
        elif not values:
            out.append(indent + NONE)
        else:
            for value in values:
                out.extend(render(value))

    section("Overview")
    out.extend(_wrap(r.brief_summary) if r.brief_summary else ["  " + NONE])
    if r.detailed_description:
        out += ["", "  Description:"] + _wrap(r.detailed_description, "    ")
    out.append("")
    out.append(
        _field(
            "Conditions",
            "; ".join(r.conditions) if r.conditions else (NOT_IN_SOURCE if r.conditions is None else NONE),
        )
    )
    out.append(
        _field(
            "Keywords",
            "; ".join(r.keywords) if r.keywords else (NOT_IN_SOURCE if r.keywords is None else NONE),
        )
    )

    section("Design")
    out += [
        _field("Primary purpose", label(d.primary_purpose)),
        _field("Allocation", label(d.allocation)),
        _field("Intervention model", label(d.intervention_model)),
        _field("Observational model", label(d.observational_model)) if d.observational_model else None,
        _field("Time perspective", label(d.time_perspective)) if d.time_perspective else None,
        _field(
            "Masking",
            label(d.masking) + (f" ({', '.join(label(w) for w in d.who_masked)})" if d.who_masked else ""),
        ),
        _field("Data monitoring comm.", {True: "Yes", False: "No"}.get(r.has_dmc)),
    ]
    out = [line for line in out if line is not None]
    if d.intervention_model_description:
        out += _wrap(d.intervention_model_description, "    ")

    section("Arms and interventions")
    listed(
        r.arms,
        lambda a: (
            [f"  [{label(a.type)}] {a.label}"]
            + (_wrap(a.description, "      ") if a.description else [])
            + [f"      receives: {n}" for n in a.intervention_names]
        ),
    )
    out.append("")
    listed(
        r.interventions,
        lambda i: (
            [f"  {label(i.type)}: {i.name}"]
            + ([f"      also known as: {', '.join(i.other_names)}"] if i.other_names else [])
            + (_wrap(i.description, "      ") if i.description else [])
        ),
    )

    section("Eligibility")
    if e is None:
        out.append("  " + NOT_IN_SOURCE)
    else:
        healthy = {True: "accepted", False: "not accepted"}.get(e.healthy_volunteers)
        out += [
            _field("Sex", label(e.sex)),
            _field("Minimum age", e.minimum_age or "no minimum"),
            _field("Maximum age", e.maximum_age or "no maximum"),
            _field("Healthy volunteers", healthy),
        ]
        for title, items in (
            ("Inclusion", e.inclusion),
            ("Exclusion", e.exclusion),
            ("Other criteria", e.other),
        ):
            if items or title != "Other criteria":
                out += [
                    "",
                    f"  {title} criteria ({len(items)}):" if title != "Other criteria" else f"  {title}:",
                ]
                out += _criteria(items) if items else ["    " + NONE]

    section("Outcomes")
    if r.outcomes is None:
        out.append("  " + NOT_IN_SOURCE)
    else:
        for kind in ("primary", "secondary", "other"):
            items = r.outcomes_of(kind) or []
            if items or kind != "other":
                out.append(f"  {kind.capitalize()} ({len(items)}):")
                for n, o in enumerate(items, 1):
                    out += textwrap.wrap(
                        o.measure, 100, initial_indent=f"    {n}. ", subsequent_indent="       "
                    )
                    if o.time_frame:
                        out += _wrap(f"Time frame: {o.time_frame}", "       ")

    section("Sponsor and sites")
    out.append(
        _field(
            "Lead sponsor",
            f"{r.lead_sponsor.name} ({label(r.lead_sponsor.agency_class)})" if r.lead_sponsor else None,
        )
    )
    out.append(
        _field(
            "Collaborators",
            "; ".join(s.name for s in r.collaborators)
            if r.collaborators
            else (NOT_IN_SOURCE if r.collaborators is None else NONE),
        )
    )
    out.append("  Central contacts:")
    listed(r.central_contacts, lambda c: ["    " + ", ".join(x for x in (c.name, c.phone, c.email) if x)], "    ")
    out.append("  Officials:")
    listed(
        r.officials,
        lambda c: ["    " + ", ".join(x for x in (c.name, label(c.role), c.affiliation) if x)],
        "    ",
    )
    count = "" if r.locations is None else f" ({len(r.locations)})"
    out.append(f"  Locations{count}:")
    listed(
        r.locations,
        lambda loc: ["    " + ", ".join(x for x in (loc.facility, loc.city, loc.state, loc.country) if x)],
        "    ",
    )

    section("Documents")
    listed(r.documents, lambda doc: ["  " + ", ".join(x for x in (doc.label, doc.filename, doc.date) if x)])

    if versions:
        section("Versions (newest first)")
        out += [f"  {v}" for v in versions]
    return "\n".join(out) + "\n"
