"""Data-subject rights on contacts: erasure (GDPR Art. 17) and access (Art. 15)."""
