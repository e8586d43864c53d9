"""Every router the app serves; a new resource is added here and nowhere else."""

from fastapi import APIRouter

from api.routes import (
    accounts,
    activities,
    api_keys,
    auth,
    contacts,
    deals,
    health,
    members,
    pipelines,
    timelines,
    workspace,
)

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    workspace.router,
    members.router,
    api_keys.router,
    contacts.router,
    accounts.router,
    pipelines.router,
    deals.router,
    activities.router,
    timelines.router,
]
