# Rapport: the SPA is built with node, then served with the API by a slim Python image.
# PostgreSQL and Redis are external services here: set DATABASE_URL, REDIS_URL and SECRET_KEY.

FROM node:20-bookworm-slim AS spa
WORKDIR /build
COPY frontend/package.json frontend/package-lock.json frontend/
RUN cd frontend && npm ci --no-audit --no-fund
COPY openapi.yaml ./
COPY frontend/ frontend/
RUN cd frontend && npm run build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN groupadd --system rapport && useradd --system --gid rapport --home-dir /app --shell /usr/sbin/nologin rapport
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml alembic.ini README.md ./
COPY rapport/ rapport/
COPY api/ api/
COPY domain/ domain/
COPY workers/ workers/
COPY migrations/ migrations/
RUN pip install --no-deps .
COPY --from=spa /build/frontend/dist frontend/dist
# Installed as a package, `api/spa.py` looks for the SPA beside the package; point it here.
ENV RAPPORT_SPA_DIR=/app/frontend/dist
USER rapport
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Run `rapport migrate` once per release (a job or an init container) before new `serve` processes.
CMD ["rapport", "serve", "--host", "0.0.0.0", "--port", "8000"]
