"""Telcoportal project package.

Kept free of import side effects so ``telcoportal.providers`` and
``telcoportal.sandbox`` stay importable without Django; the Celery app is
loaded by ``TelcoportalConfig.ready()``.
"""
