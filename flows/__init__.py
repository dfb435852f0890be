"""Prefect flows and tasks: orchestration only; the work is in ``tawthiq.pipeline``."""
