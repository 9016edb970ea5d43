"""How long the register's list endpoint and list page take with 10,000 systems.

Each database gets a fresh Ombuds database with 10,000 systems spread over 3 agencies; a
governance lead of the largest agency asks for pages of 50 and 500. Medians of repeated runs,
in-process through Django's test client (no network), so the figure is Ombuds' own cost.
Run: make bench (or .venv/bin/python benchmarks/bench_list_endpoint.py)
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

N_SYSTEMS = int(os.environ.get("BENCH_SYSTEMS", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
RESULTS = Path(__file__).resolve().parent / "results"


def measure(database_url: str) -> list[tuple[str, float, int]]:
    """Run in a child process so each database gets its own Django set-up."""
    code = f"""
import os, statistics, time, json
os.environ["OMBUDS_DATABASE_URL"] = {database_url!r}
os.environ["OMBUDS_DATA_DIR"] = {tempfile.mkdtemp()!r}
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.settings")
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["*"]
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
call_command("flush", interactive=False, verbosity=0) if connection.vendor == "postgresql" else None
call_command("migrate", verbosity=0, interactive=False)
from django.contrib.auth.models import User
from ombuds.core.models import Agency, ApiToken, Membership
from ombuds.registry.models import AISystem
agencies = [Agency.objects.create(slug=f"a{{i}}", name=f"Agency {{i}}") for i in range(3)]
lead = User.objects.create_user("lead", password="x" * 12)
Membership.objects.create(user=lead, agency=agencies[0], role="governance_lead")
sectors = ["healthcare", "justice", "public_benefits", "migration", "other"]
AISystem.objects.bulk_create([AISystem(agency=agencies[i % 3 if i % 5 else 0], name=f"System {{i:05d}}",
    short_description="A system", sector=sectors[i % 5], stage="design") for i in range({N_SYSTEMS})],
    batch_size=1000)
visible = AISystem.objects.filter(agency=agencies[0]).count()
_t, raw = ApiToken.issue(lead)
client = Client()
client.force_login(lead)
headers = {{"Authorization": "Bearer " + raw}}
out = []
for label, url, use_token in [("GET /api/v1/systems (page of 50)", "/api/v1/systems", True),
                              ("GET /api/v1/systems?limit=500", "/api/v1/systems?limit=500", True),
                              ("GET /api/v1/systems?q=System 0999", "/api/v1/systems?q=System%200999", True),
                              ("GET /systems/ (web page of 50)", "/systems/", False),
                              ("GET /dashboard/", "/dashboard/", False)]:
    kw = {{"headers": headers}} if use_token else {{}}
    assert client.get(url, **kw).status_code == 200
    times = []
    for _ in range({REPEAT}):
        t0 = time.perf_counter(); r = client.get(url, **kw); times.append(time.perf_counter() - t0)
        assert r.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **kw)
    out.append((label, statistics.median(times) * 1000, len(ctx.captured_queries)))
print(json.dumps({{"rows": out, "visible": visible}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    import json

    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["rows"], data["visible"]


def postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS ombuds_bench")
            conn.execute("CREATE DATABASE ombuds_bench")
        return "postgres://postgres@127.0.0.1:5432/ombuds_bench"
    except Exception:
        return None


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp()
    runs = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
    pg = postgres_url()
    if pg:
        runs.append(("PostgreSQL", pg))
    lines = [
        "# Register list endpoint with 10,000 systems",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; {N_SYSTEMS:,} systems in 3 "
        f"agencies; median of {REPEAT} requests through Django's test client (no network).",
        "Command: `make bench` (script `benchmarks/bench_list_endpoint.py`).",
        "",
        "| database | request | median ms | SQL queries |",
        "|---|---|---:|---:|",
    ]
    for name, url in runs:
        started = time.perf_counter()
        rows, visible = measure(url)
        for label, ms, queries in rows:
            lines.append(f"| {name} | {label} | {ms:.1f} | {queries} |")
        print(f"{name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    lines += ["", f"The lead sees {visible:,} of the {N_SYSTEMS:,} systems (their agency's).", ""]
    if pg:
        with __import__("psycopg").connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS ombuds_bench")
    from importlib.metadata import version

    lines.append(
        f"Versions: Django {version('django')}, django-ninja {version('django-ninja')}, "
        f"psycopg {version('psycopg')}."
    )
    (RESULTS / "list-endpoint.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
