"""Measure the coder: recall and precision against human-coded gold items (`gold`), and an
audit of what it emits on an unannotated corpus, per section (`audit`)."""
from diurna.evaluate.audit import AuditReport, audit_corpus
from diurna.evaluate.gold import EvalReport, evaluate_gold, load_gold

__all__ = ["AuditReport", "EvalReport", "audit_corpus", "evaluate_gold", "load_gold"]
