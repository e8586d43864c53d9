"""`python -m bench [name ...]`: run the benchmarks, print and save their figures.

Each benchmark gets a fresh database and its own `rapport serve` process; load comes from this
process. BENCH_DATABASE_URL / BENCH_REDIS_URL point at running servers; otherwise embedded ones
start. Results go to bench/results/<date>-<name>.json; docs/performance.md records them.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.env import machine, world

BENCHES = {
    "board": "bench.board",
    "moves": "bench.moves",
    "contacts_search": "bench.contacts_search",
    "search_everywhere": "bench.search_everywhere",
    "forms_intake": "bench.forms_intake",
    "import_contacts": "bench.import_contacts",
    "reports": "bench.reports",
}
RESULTS = Path(__file__).resolve().parent / "results"


def main(names: list[str]) -> None:
    names = names or list(BENCHES)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    for name in names:
        module = importlib.import_module(BENCHES[name])
        workers = getattr(module, "SERVER_WORKERS", 1)
        with world(workers=workers, env=getattr(module, "SERVER_ENV", None)) as w:
            result = module.run(w)
        result.update(machine=machine(), postgres=w.server_version, date=stamp, server_workers=workers)
        print(json.dumps(result, indent=2), flush=True)
        (RESULTS / f"{stamp}-{name}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
