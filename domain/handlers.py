"""Importing this module registers every outbox event handler (`domain.outbox.on`).

Workers import it once at start-up; a concern with handlers adds its module here.
"""

from __future__ import annotations

import importlib

HANDLER_MODULES: tuple[str, ...] = (
    "domain.audit",
    "domain.after_sale_handlers",
    "domain.automations.triggers",
    "domain.webhooks.fanout",
)


def register_all() -> None:
    for module in HANDLER_MODULES:
        importlib.import_module(module)
