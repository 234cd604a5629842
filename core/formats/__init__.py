"""One date format per language, used by every page, table and export.

Django's own English short format is ``m/d/Y P`` ("11/30/2026 9:15 p.m.") and its
Turkish one spells month names; pages mixed those with hand-written ``Y-m-d H:i``.
Here each language has one numeric pattern (``FORMAT_MODULE_PATH`` points here);
everything else (separators, input formats) stays Django's.
"""
