"""The patient check: one patient's values against the requirements of trials (profile.Requirement),
each requirement "meets", "fails" or "unknown", with the criteria that decide and a one-line reason.

- patient.py: the Patient and its JSON file (the format is documented there), read with one
  sentence for a bad file;
- checks.py: one requirement against the patient (evaluate), per kind of facet;
- ranking.py: one trial's checks and verdict (check_trial), and trials ranked (rank).

A trial's verdict is "fails" when a requirement for everyone fails, else "possible" with the count of
requirements left unknown. A requirement under a scoping heading ("Cohort 2") is reported with its
scope and never fails the trial on its own: the patient may belong to another cohort. Trials are
ranked possible first, most requirements met first, then fewest unknowns.
"""
