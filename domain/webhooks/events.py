"""The events a subscription may name, and how a subscription's list matches an event type."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import FieldError, ValidationFailed

_RECORD_EVENTS = {
    "contact": ("created", "updated", "merged", "deleted", "restored", "created_from_form", "erased"),
    "account": ("created", "updated", "merged", "deleted", "restored"),
    "deal": ("created", "updated", "stage_changed", "won", "lost", "deleted", "restored"),
    "activity": ("created", "updated", "completed", "deleted", "restored"),
    "form": ("submitted",),
    "commitment": ("created", "updated", "deleted"),
    "project": ("created", "updated", "deleted"),
}
EVENT_TYPES: frozenset[str] = frozenset(
    f"{record}.{event}" for record, events in _RECORD_EVENTS.items() for event in events
)
RESOURCES = frozenset(_RECORD_EVENTS)
TEST_EVENT = "webhook.test"


def clean_events(events: Iterable[str]) -> list[str]:
    """Exact types (`deal.won`), a resource's every event (`deal.*`) or everything (`*`)."""
    cleaned: list[str] = []
    errors: list[FieldError] = []
    for index, event in enumerate(events):
        name = event.strip()
        if name == "*" or name in EVENT_TYPES or (name.endswith(".*") and name[:-2] in RESOURCES):
            cleaned.append(name)
        else:
            errors.append(
                FieldError(
                    loc=["body", "events", index],
                    msg=f"Unknown event {name!r}; see the documented event types",
                )
            )
    if errors:
        raise ValidationFailed("events names an unknown event type", errors=errors)
    if not cleaned:
        raise ValidationFailed(
            "Subscribe to at least one event", errors=[FieldError(loc=["body", "events"], msg="Empty")]
        )
    return list(dict.fromkeys(cleaned))


def patterns_for(event_type: str) -> list[str]:
    """The subscription entries that select `event_type`."""
    return [event_type, f"{event_type.split('.', 1)[0]}.*", "*"]
