"""The public register with 10,000 published systems from 50 agencies.

1. Server time: the register page, a filtered search and a system page, each asked for many
   times through Django's test client in one process (no network), so the figure is Ombuds' own
   cost; p50 and p95, without and with the public-page cache (OMBUDS_PUBLIC_CACHE).
2. Load: `ombuds serve` (gunicorn, production mode) on loopback and 50 concurrent visitors for
   60 s, each visitor a thread of a small standard-library HTTP client walking the register
   (pages, searches, system pages); requests/s, latency seen by the visitors, errors.

A throwaway SQLite database is filled by bulk inserts (records are not published one by one
through the two-person workflow: the published versions are written directly, in their final
form). Run: make bench (or .venv/bin/python benchmarks/bench_public.py).
Environment: BENCH_SYSTEMS (10000), BENCH_AGENCIES (50), BENCH_REPEAT (60), BENCH_USERS (50),
BENCH_SECONDS (60).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

N_SYSTEMS = int(os.environ.get("BENCH_SYSTEMS", "10000"))
N_AGENCIES = int(os.environ.get("BENCH_AGENCIES", "50"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))
USERS = int(os.environ.get("BENCH_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# The filtered search: a word in names and descriptions, one agency, high-impact only.
SEARCH = "/public/?q=benefit&agency=agency-07&high_impact=yes"

SETUP = """
import os, random, json
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from django.db import transaction
from django.utils import timezone
from ombuds.core.models import Agency
from ombuds.registry.models import AISystem
from ombuds.transparency.models import PublicRecord, PublicRecordVersion

N, A = {n}, {a}
rng = random.Random(7)
sectors = ["healthcare", "law_enforcement", "justice", "public_benefits", "migration",
           "education", "employment", "critical_infrastructure", "other"]
stages = ["design", "pilot", "deployed", "deployed", "deployed", "suspended", "decommissioned"]
impacts = ["rights", "safety", "both", "neither", "neither", ""]
words = ["benefit", "claims", "triage", "fraud", "translation", "scheduling", "risk", "routing"]
with transaction.atomic():
    agencies = Agency.objects.bulk_create(
        [Agency(slug=f"agency-{{i:02d}}", name=f"Agency {{i:02d}}", country=["CA", "FR", "NL", "GB", "US"][i % 5])
         for i in range(A)])
    systems = AISystem.objects.bulk_create([
        AISystem(agency=agencies[i % A], name=f"{{words[i % 8].title()}} assistant {{i:05d}}",
                 short_description="Helps staff", sector=sectors[i % 9], stage=stages[i % 7],
                 impact_determination=impacts[i % 6], impact_level=(i % 4) + 1 if i % 3 else None)
        for i in range(N)], batch_size=1000)
    records = PublicRecord.objects.bulk_create([
        PublicRecord(system=s, what_it_does=f"It sorts {{words[(s.pk * 3) % 8]}} cases.",
                     use_in_decisions="A person decides.", complaints="Write to us.",
                     contact="ai@agency.example", status="published")
        for s in systems], batch_size=1000)
    now = timezone.now()
    versions = []
    for r, s in zip(records, systems):
        high = None if not s.impact_determination else s.impact_determination != "neither"
        snap = {{
            "schema": "ombuds.public-record/1",
            "agency": {{"name": s.agency.name, "slug": s.agency.slug, "country": s.agency.country}},
            "system": {{"id": s.pk, "name": s.name, "sector": s.sector, "stage": s.stage,
                       "high_impact": high, "impact": s.impact_determination or None}},
            "fields": {{"what_it_does": r.what_it_does, "use_in_decisions": r.use_in_decisions,
                       "human_role": "A case worker reads each case.", "data_used": "The form.",
                       "risks": "Errors are checked weekly.", "opt_out": "Ask for a person.",
                       "complaints": r.complaints, "contact": r.contact}},
            "last_reviewed": None,
            "assessment": {{"impact_level": s.impact_level, "decision": "deploy" if s.impact_level else None}},
            "monitoring": "normal",
            "bias_audits": [],
            "min_group_size": 30,
        }}
        versions.append(PublicRecordVersion(
            record=r, number=1, kind="published", snapshot=snap, name=s.name,
            what_it_does=r.what_it_does, sector=s.sector, high_impact=high, at=now))
    versions = PublicRecordVersion.objects.bulk_create(versions, batch_size=1000)
    for r, v in zip(records, versions):
        r.current = v
    PublicRecord.objects.bulk_update(records, ["current"], batch_size=1000)
ids = list(AISystem.objects.values_list("pk", flat=True))
print(json.dumps({{"ids": ids}}))
"""

SERVER_TIME = """
import os, json, random, statistics, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.settings")
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["*"]
from django.core.cache import cache
from django.test import Client
cache.clear()
ids = {ids}
rng = random.Random(11)
client = Client()
pages = max(1, {n} // 25)
cases = [
    ("register page /public/ (random page of 25)", lambda: f"/public/?page={{rng.randint(1, pages)}}"),
    ("register page /public/ (first page)", lambda: "/public/"),
    ("filtered search " + {search!r}, lambda: {search!r}),
    ("system page /public/systems/<id>/", lambda: f"/public/systems/{{rng.choice(ids)}}/"),
]
out = []
for label, make in cases:
    assert client.get(make()).status_code == 200
    times = []
    for _ in range({repeat}):
        url = make()
        t0 = time.perf_counter(); r = client.get(url); times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    times.sort()
    out.append((label, statistics.median(times), times[int(len(times) * 0.95) - 1]))
print(json.dumps(out))
"""


def child(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench_public: child failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("bench_public: the server did not start")


def visitor(port, ids, stop, results, lock, seed) -> None:
    """One visitor: keeps a connection open and walks the register until told to stop."""
    rng = random.Random(seed)
    pages = max(1, N_SYSTEMS // 25)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine: list[tuple[float, bool]] = []
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.3:
            url = f"/public/?page={rng.randint(1, pages)}"
        elif roll < 0.5:
            url = (
                f"/public/?q=benefit&agency=agency-{rng.randrange(N_AGENCIES):02d}&high_impact=yes"
            )
        else:
            url = f"/public/systems/{rng.choice(ids)}/"
        t0 = time.perf_counter()
        ok = False
        try:
            conn.request("GET", url, headers={"Accept-Language": "en"})
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine.append(((time.perf_counter() - t0) * 1000, ok))
    conn.close()
    with lock:
        results.extend(mine)


def load_run(env: dict[str, str], ids: list[int]) -> dict:
    """50 visitors for 60 s with locust (headless) when it is installed (`make bench` installs
    it), else with the small threaded client above."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "ombuds"), "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        wait_up(port)
        if (BIN / "locust").exists():
            return _locust(port, ids)
        return _threads(port, ids)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _locust(port: int, ids: list[int]) -> dict:
    import csv

    with tempfile.TemporaryDirectory() as folder:
        ids_file = Path(folder) / "ids.json"
        ids_file.write_text(json.dumps(ids))
        prefix = str(Path(folder) / "run")
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(Path(__file__).resolve().parent / "locust_public.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{SECONDS}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "BENCH_IDS_FILE": str(ids_file), "BENCH_AGENCIES": str(N_AGENCIES)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        with open(f"{prefix}_stats.csv", newline="") as f:
            total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {
        "client": "locust",
        "requests": int(total["Request Count"]),
        "rps": float(total["Requests/s"]),
        "errors": int(total["Failure Count"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
    }


def _threads(port: int, ids: list[int]) -> dict:
    stop, lock = threading.Event(), threading.Lock()
    results: list[tuple[float, bool]] = []
    threads = [
        threading.Thread(target=visitor, args=(port, ids, stop, results, lock, i))
        for i in range(USERS)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    times = sorted(ms for ms, _ok in results)
    return {
        "client": "threads",
        "requests": len(results),
        "rps": len(results) / elapsed,
        "errors": sum(1 for _ms, ok in results if not ok),
        "p50": statistics.median(times) if times else 0.0,
        "p95": times[max(0, int(len(times) * 0.95) - 1)] if times else 0.0,
    }


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp()
    env = {
        "OMBUDS_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "OMBUDS_DATA_DIR": tmp,
        "OMBUDS_DEBUG": "0",
        "OMBUDS_SECRET_KEY": secrets.token_urlsafe(60),
        "OMBUDS_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    load_at_start = os.getloadavg()[0]
    started = time.perf_counter()
    ids = json.loads(child(SETUP.format(n=N_SYSTEMS, a=N_AGENCIES), env))["ids"]
    print(
        f"bench_public: {len(ids):,} systems in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    runs = [("uncached", "0"), ("cached", "300")]
    server_rows, load_rows = [], []
    for name, cache in runs:
        run_env = {**env, "OMBUDS_PUBLIC_CACHE": cache}
        code = SERVER_TIME.format(ids=ids, n=N_SYSTEMS, search=SEARCH, repeat=REPEAT)
        for label, p50, p95 in json.loads(child(code, run_env)):
            server_rows.append((name, label, p50, p95))
        print(f"bench_public: server time ({name}) done", file=sys.stderr)
        before = os.getloadavg()[0]
        result = load_run(run_env, ids)
        result["load"] = (before, os.getloadavg()[0])
        load_rows.append((name, result))
        print(f"bench_public: load run ({name}) done", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    write(server_rows, load_rows, load_at_start)


def write(server_rows, load_rows, load_at_start: float) -> None:
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        "# Public register with 10,000 published systems",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {cpu}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"Django {version('django')}, gunicorn {version('gunicorn')}, SQLite "
        f"{__import__('sqlite3').sqlite_version}.",
        f"{N_SYSTEMS:,} published systems from {N_AGENCIES} agencies in a throwaway SQLite "
        "database (bulk inserted). Command: `make bench` (script `benchmarks/bench_public.py`).",
        f"1-minute load average when the run started: {load_at_start:.1f} on "
        f"{os.cpu_count()} cores (other work on the machine slows every figure below).",
        "",
        "## Server time (target: p95 under 150 ms)",
        "",
        f"{REPEAT} requests per page through Django's test client in one process (no network), "
        "as an anonymous visitor; random page numbers and system ids. `cached`: "
        "OMBUDS_PUBLIC_CACHE=300, the public-page cache (src/ombuds/core/public_cache.py); "
        "`uncached`: OMBUDS_PUBLIC_CACHE=0.",
        "",
        "| cache | page | p50 ms | p95 ms | target met |",
        "|---|---|---:|---:|---|",
    ]
    for name, label, p50, p95 in server_rows:
        lines.append(
            f"| {name} | {label} | {p50:.1f} | {p95:.1f} | {'yes' if p95 < 150 else 'NO'} |"
        )
    lines += [
        "",
        f"## Load: {USERS} concurrent visitors for {SECONDS} s (target: zero errors)",
        "",
        "`ombuds serve` (gunicorn, 2 workers, production mode) on 127.0.0.1; the visitors are "
        "locust users (headless, `benchmarks/locust_public.py`; a small threaded client when "
        "locust is missing, see the `client` column) on the same machine, asking 30% register "
        "pages, 20% filtered searches, 50% system pages, with no pause. Latency is what the "
        "visitors saw (queueing included), so it is higher than server time; the load "
        "generator shares the 2 cores with the server.",
        "",
        "| cache | client | requests | requests/s | p50 ms | p95 ms | errors | load avg before → after |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in load_rows:
        lines.append(
            f"| {name} | {r['client']} | {r['requests']:,} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {r['errors']} | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    lines.append("")
    (RESULTS / "public.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
