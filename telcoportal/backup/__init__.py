"""Backups that restore: `manage.py backup` and `manage.py restore` (docs/deploy.md, "Backups").

An archive is a plain tar, written as a stream: the database first (``database.pgdump``, pg_dump's
custom format, or ``database.sqlite3``, SQLite's online backup), then every file of the media storage
under its own name in ``media/``, read through Django's storage API (a local folder or S3 alike), and
last ``manifest.json``: what the archive holds, with every table's row count and every file's size and
SHA-256, so a restore can refuse a damaged archive before touching anything and prove afterwards that
it put everything back.
"""
