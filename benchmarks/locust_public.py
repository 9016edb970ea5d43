"""Visitors of the public register for the load run of bench_public.py (locust, headless).

Each simulated visitor walks the register as people do: register pages, a filtered search,
system pages. The system ids to visit come from the file named in BENCH_IDS_FILE."""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

IDS = json.loads(open(os.environ["BENCH_IDS_FILE"]).read())
PAGES = max(1, len(IDS) // 25)
AGENCIES = int(os.environ.get("BENCH_AGENCIES", "50"))
HEADERS = {"Accept-Language": "en"}


class Visitor(HttpUser):
    wait_time = between(0, 0)

    @task(3)
    def register_page(self):
        self.client.get(
            f"/public/?page={random.randint(1, PAGES)}", name="/public/?page=N", headers=HEADERS
        )

    @task(2)
    def filtered_search(self):
        agency = f"agency-{random.randrange(AGENCIES):02d}"
        self.client.get(
            f"/public/?q=benefit&agency={agency}&high_impact=yes",
            name="/public/?q=…&agency=…",
            headers=HEADERS,
        )

    @task(5)
    def system_page(self):
        self.client.get(
            f"/public/systems/{random.choice(IDS)}/", name="/public/systems/ID/", headers=HEADERS
        )
