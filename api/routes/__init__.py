"""Every router the app serves; a new resource is added here and nowhere else."""

from fastapi import APIRouter

from api.routes import api_keys, auth, health, members, workspace

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    workspace.router,
    members.router,
    api_keys.router,
]
