"""The dashboard at ``/``: one page of panels, each loaded on its own by htmx.

``selectors`` reads the database; ``reads`` asks providers (briefly cached);
``views`` serves one fragment per panel.
"""
