"""Data hygiene: normalising at import speed, near duplicates, merges, required fields, quality.

Submodules are imported where used (domain.contacts hooks `duplicates` and `required_fields`
into its write path), so this package imports nothing itself.
"""
