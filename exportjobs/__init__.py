"""Background exports: one job model, worker and pages for every list registered in ``core.export_kinds``."""
