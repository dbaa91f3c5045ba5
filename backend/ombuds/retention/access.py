"""Who acts on records' retention (5.1).

- A complaint's schedule and hold: those who read the complaint (`readable_complaints`,
  else 404); placing a hold: those who may act on it (the handling ombudsperson, else
  403: they can see it, so the refusal reveals nothing).
- A consultation's: the ombudsperson who held it, no one else (404).
- Lifting a hold, undoing a scheduled destruction for someone else, the lists of holds and
  scheduled destructions, and the destruction register: administrators only. They see
  references, classes and dates, never a hold's reason or anything of the record."""

from __future__ import annotations

from ombuds.auth.access import Administrator
from ombuds.complaints.access import CaseWorker, Ombudsperson

RecordReader = CaseWorker
ConsultationHolder = Ombudsperson
RetentionKeeper = Administrator

__all__ = ["ConsultationHolder", "RecordReader", "RetentionKeeper"]
