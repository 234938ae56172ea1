"""Locust users for bench/soak.py: care coordinators, FHIR clients and residents (from
care_locustfile.py) and care navigators searching the service directory."""

import json
import os
import random
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from care_locustfile import Coordinator, FhirClient, Resident  # noqa: E402, F401

TARGETS = json.loads(open(os.environ["BENCH_CARE_TARGETS"]).read())
NAVIGATOR_SESSIONS = list(TARGETS["navigator_sessions"])


class Navigator(HttpUser):
    """A care navigator or social prescriber finding services with someone: words, a
    need, a postcode and distance, sometimes "open now"; then a service's page."""

    wait_time = between(1, 3)
    weight = 2

    def on_start(self):
        self.client.cookies.set("sessionid", NAVIGATOR_SESSIONS.pop(), domain="127.0.0.1")

    @task(4)
    def search(self):
        params = {"q": random.choice(TARGETS["words"])}
        if random.random() < 0.6:
            params.update({"postcode": random.choice(TARGETS["postcodes"]), "distance": "2"})
        if random.random() < 0.4:
            params["need"] = random.choice(TARGETS["needs"])
        if random.random() < 0.3:
            params["when"] = "now"
        self.client.get("/directory/", params=params, name="directory search")

    @task(2)
    def service(self):
        service = random.choice(TARGETS["services"])
        self.client.get(f"/directory/services/{service}", name="directory service")
