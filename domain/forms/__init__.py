"""Web-form lead capture: forms as settings (config), the public intake, processing in a worker,
routing, signatures and rate limits. Importing `domain.forms.processing` registers its handler.
"""
