"""A stored version's record as a reader sees it: with its results section.

The store does not keep results: they are in each version's source document already (compressed),
only one trial's page, brief or ``show`` needs them, and reading them at import would double a bulk
import's time (0.8 ms a study for the corpus's mix, against 0.7 ms for everything else: README,
Store). So the import leaves ``TrialRecord.results`` None and this module reads them from the
source when a trial is shown; the library's Results column and filter use the stored
``has_results``.
"""

from __future__ import annotations

from sqlmodel import Session

from .importers import results_of
from .record import TrialRecord
from .store import reading


def shown_record(session: Session, version_id: int) -> TrialRecord:
    """The version's record with its results (None when its source has none)."""
    record = reading.load_record(session, version_id)
    if record.has_results is not False:  # a source that says it has none is not read again
        record.results = results_of(*reading.source_of(session, version_id))
    return record


def current_shown_record(session: Session, registry_id: str) -> TrialRecord | None:
    trial = reading.trial_by_registry_id(session, registry_id)
    if trial is None or trial.current_version_id is None:
        return None
    return shown_record(session, trial.current_version_id)
