"""Life expectancy, brain metastases (excluded, allowed if stable, required) and biomarkers by gene
(EGFR the gene, never eGFR the kidney)."""

from __future__ import annotations

import re

from . import rules as R
from .reading import NUMBER, OPERATOR, Facet, compiled, compiled_rules, number, operator, tidy

# --- life expectancy -----------------------------------------------------------------------------------------------------
_UNIT = r"\s*(?P<unit>days?|weeks?|months?|years?|yrs)"
_LIFE = compiled_rules(
    mention=R.LIFE_MENTION, not_ours_before=R.LIFE_NOT_OURS_BEFORE, filler=R.LIFE_FILLER,
    value=r"(?:" + OPERATOR + r"\s*)?" + NUMBER + _UNIT + r"\b(?P<tail>\s+or\s+(?:more|longer))?",
    op_before=r"(?:minimum|at\s+least)\s+(?:\w+\s+)?$",
    value_before=r"(?:" + OPERATOR + r"\s*)" + NUMBER + _UNIT + r"\s+(?:of\s+)?(?:(?:estimated|expected)\s+)?$",
)  # fmt: skip


def life_expectancy_facets(text: str, section: str) -> list[Facet]:
    facets = []
    for m in _LIFE.mention.finditer(text):
        if _LIFE.not_ours_before.search(text[max(0, m.start() - 25) : m.start()]):
            continue
        pos = _LIFE.filler.match(text, m.end()).end()
        value = _LIFE.value.match(text, pos) or _LIFE.value_before.search(text[max(0, m.start() - 40) : m.start()])
        if not value:
            continue
        amount = number(value.group("num"))
        if amount is None:
            continue
        if value.group("op"):
            op = operator(value.group("op"))
        elif value.group("tail") or _LIFE.op_before.search(text[max(0, m.start() - 20) : m.start()]):
            op = ">="
        else:
            op = "<" if section == "exclusion" else ">="
        unit = R.TIME_UNITS[value.group("unit").lower()]
        facets.append({"kind": "life_expectancy", "op": op, "value": tidy(amount), "unit": unit})
    return facets


# --- brain metastases -------------------------------------------------------------------------------------------------------------
_BRAIN = compiled_rules(
    mention=R.BRAIN_MENTION, not_ours_before=R.BRAIN_NOT_OURS_BEFORE, active=R.BRAIN_ACTIVE, stable=R.BRAIN_STABLE,
    except_=R.BRAIN_EXCEPT, negated=R.BRAIN_NEGATED, forbidden=R.BRAIN_FORBIDDEN,
)  # fmt: skip


def brain_facets(text: str, section: str) -> list[Facet]:
    mentions = [m for m in _BRAIN.mention.finditer(text) if not _BRAIN.not_ours_before.search(text[max(0, m.start() - 40) : m.start()])]
    if not mentions:
        return []
    active_before = any(_BRAIN.active.search(text[max(0, m.start() - 30) : m.start()]) for m in mentions)
    excluding = section == "exclusion" or bool(_BRAIN.forbidden.search(text))
    if excluding:
        if (_BRAIN.except_.search(text) and _BRAIN.stable.search(text)) or active_before:
            stance = "allowed_if_stable"
        else:
            stance = "excluded"
    elif _BRAIN.stable.search(text) or active_before:
        stance = "allowed_if_stable"
    elif any(_BRAIN.negated.search(text[max(0, m.start() - 40) : m.start()]) for m in mentions):
        stance = "excluded"
    else:
        stance = "required"
    return [{"kind": "brain_metastases", "stance": stance}]


# --- biomarkers --------------------------------------------------------------------------------------------------------------------------
_GENE = compiled("|".join(f"(?P<g{i}>(?<![A-Za-z0-9-])(?:{p})(?![a-z0-9]))" for i, (_, p) in enumerate(R.GENES)), 0)
_GENE_NAMES = [name for name, _ in R.GENES]
_GENE_DRUG_BEFORE = compiled(R.GENE_DRUG_BEFORE)
_GENE_DRUG_AFTER = compiled(R.GENE_DRUG_AFTER)
_VARIANT = compiled(R.VARIANT, 0)
_VARIANT_DRUG_BEFORE = compiled(R.VARIANT_DRUG_BEFORE)
_EXONS = [(compiled(p), template) for p, template in R.EXON_STATUS]
_GENERIC = [(compiled(p), status) for p, status in R.GENERIC_STATUS]
_PDL1_SCORE = compiled(R.PDL1_SCORE, 0)
_PDL1_PERCENT = compiled(R.PDL1_PERCENT, 0)
_TESTING_ONLY = compiled(R.TESTING_ONLY)
_TEST_RESULT = compiled(R.TEST_RESULT)
_GENE_LINK = compiled(r"^(?:[\s,/()]|\band/or\b|\band\b|\bor\b|&)*$")
_STATUS_STOP = re.compile(r";|\.\s|\.$")


def biomarker_facets(text: str, section: str) -> list[Facet]:
    if _TESTING_ONLY.search(text) and not _TEST_RESULT.search(text):
        return []
    genes = []
    for m in _GENE.finditer(text):
        if _GENE_DRUG_BEFORE.search(text[max(0, m.start() - 45) : m.start()]) or _GENE_DRUG_AFTER.match(text, m.end()):
            continue
        genes.append((m.start(), m.end(), _GENE_NAMES[int(m.lastgroup[1:])]))
    specific: list[tuple[int, str, str]] = []  # (position, gene, status)
    for m in _VARIANT.finditer(text):
        variant = m.group("v")
        if _VARIANT_DRUG_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
            continue
        if variant in R.VARIANT_GENE:
            specific.append((m.start(), R.VARIANT_GENE[variant], variant))
        elif genes:  # a variant the table does not know belongs to the gene named nearest, if near or alone
            near = min(genes, key=lambda g: abs(g[0] - m.start()))
            if abs(near[0] - m.start()) <= 60 or len({g[2] for g in genes}) == 1:
                specific.append((m.start(), near[2], variant))
    for pattern, template in _EXONS:
        for m in pattern.finditer(text):
            exon = m.group("n") or (m.groupdict().get("n2") or m.groupdict().get("n3"))
            status = template.format(n=exon)
            if genes:
                near = min(genes, key=lambda g: abs(g[0] - m.start()))
                targets = [near[2]]
                # "EGFR or HER2 exon 20 insertion": every gene of the list just before
                for i in range(genes.index(near), 0, -1):
                    if _GENE_LINK.match(text[genes[i - 1][1] : genes[i][0]]):
                        targets.append(genes[i - 1][2])
                    else:
                        break
                specific += [(m.start(), gene, status) for gene in targets]
            elif "exon" in status and ("19" in status or "21" in status):
                specific.append((m.start(), "EGFR", status))
    has_specific = {gene for _, gene, _ in specific}
    facets = [(pos, gene, status) for pos, gene, status in specific]
    # generic statuses: the words after a list of genes ("EGFR, ALK and ROS1 ... all negative")
    i = 0
    while i < len(genes):
        j = i
        while j + 1 < len(genes) and _GENE_LINK.match(text[genes[j][1] : genes[j + 1][0]]):
            j += 1
        group = genes[i : j + 1]
        window_end = genes[j + 1][0] if j + 1 < len(genes) else len(text)
        stop = _STATUS_STOP.search(text, group[-1][1], window_end)
        window = text[group[-1][1] : stop.start() if stop else window_end][:90]
        status = None
        if any(g[2] == "PD-L1" for g in group):
            score = _PDL1_SCORE.search(window)
            percent = _PDL1_PERCENT.search(window)
            if score:
                status = f"{score.group('score')}{score.group('op')}{score.group('n')}%"
            elif percent:
                status = f"{percent.group('op')}{percent.group('n')}%"
        if status is None:
            found = [(m.start(), s) for p, s in _GENERIC for m in [p.search(window)] if m]
            status = min(found)[1] if found else None
        if status:
            for start, _end, gene in group:
                if gene not in has_specific:
                    facets.append((start, gene, status))
        i = j + 1
    seen = []
    for _pos, gene, status in sorted(facets):
        facet = {"kind": "biomarker", "gene": gene, "status": status}
        if facet not in seen:
            seen.append(facet)
    return seen
