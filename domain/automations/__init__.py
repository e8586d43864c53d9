"""Automations: rules with a trigger, conditions and actions, fired once per subject and cause.

- schemas: the typed shape of a rule (what the API validates and the OpenAPI shows);
- rules: automations as settings (CRUD, id checks, the runs list);
- engine / actions / firing: firing a rule and what it can do;
- triggers: outbox handlers for event triggers; candidates / sweep / reminders: time-based ones;
- seeds: the rules a new workspace starts with.
"""
