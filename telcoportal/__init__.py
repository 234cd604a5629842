"""Telcoportal project package: settings, URLs, the Celery app, WSGI/ASGI and the health check.

Kept free of import side effects; the Celery app is loaded by ``TelcoportalConfig.ready()``.
"""
