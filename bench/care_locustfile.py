"""Locust users for bench/care_load.py: care coordinators working the caseload (caseload,
a person's care page, their plan, the inbox) and FHIR clients reading care plans.

The people and plans to visit, and signed-in sessions, come from ``BENCH_CARE_TARGETS`` (a
JSON file written by care_load.py); the FHIR token from the environment.
"""

import json
import os
import random

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["BENCH_CARE_TARGETS"]).read())
SESSIONS = list(TARGETS["sessions"])
RESIDENT_SESSIONS = list(TARGETS.get("resident_sessions", []))
TOKEN = os.environ["BENCH_CARE_TOKEN"]


class Coordinator(HttpUser):
    """A care coordinator at work, briskly: one to three seconds between pages (a person
    reading a care page takes longer; this is the busy end)."""

    wait_time = between(*map(float, os.environ.get("BENCH_THINK", "1,3").split(",")))
    weight = 4

    def on_start(self):
        # Signed in already (care_load.py made the sessions), as staff are at work.
        self.client.cookies.set("sessionid", SESSIONS.pop(), domain="127.0.0.1")

    @task(3)
    def caseload(self):
        # Mostly the top of the list (highest priority first), sometimes further down.
        page = random.choices(
            [1, random.randint(2, 5), random.randint(6, TARGETS["caseload_pages"])],
            weights=[50, 35, 15],
        )[0]
        self.client.get(f"/care/caseload/?page={page}", name="caseload")

    @task(3)
    def person(self):
        self.client.get(f"/care/people/{random.choice(TARGETS['people'])}/", name="person")

    @task(3)
    def plan(self):
        self.client.get(f"/care/people/{random.choice(TARGETS['plans'])}/plan/", name="plan")

    @task(2)
    def inbox(self):
        self.client.get("/care/inbox/", name="inbox")


class FhirClient(HttpUser):
    """A partner system reading care plans (with team and goals) and tasks over FHIR:
    a read every half to one and a half seconds, or flat out (``BENCH_FHIR_FLAT_OUT``)
    to measure reads per second."""

    wait_time = between(0, 0) if os.environ.get("BENCH_FHIR_FLAT_OUT") else between(0.5, 1.5)
    weight = 1

    def on_start(self):
        self.client.headers.update(
            {"Authorization": f"Bearer {TOKEN}", "Accept": "application/fhir+json"}
        )

    @task(2)
    def care_plan(self):
        person = random.choice(TARGETS["plans"])
        self.client.get(
            f"/fhir/CarePlan?patient=Patient/{person}"
            "&_include=CarePlan:care-team&_include=CarePlan:goal",
            name="fhir CarePlan search",
        )

    @task(1)
    def patient(self):
        self.client.get(f"/fhir/Patient/{random.choice(TARGETS['people'])}", name="fhir Patient")

    @task(1)
    def task_search(self):
        person = random.choice(TARGETS["people"])
        self.client.get(f"/fhir/Task?patient={person}", name="fhir Task search")


class Resident(HttpUser):
    """A resident in the portal, reading their plan and their data: a few seconds apart."""

    wait_time = between(1, 3)

    def on_start(self):
        self.client.cookies.set("sessionid", RESIDENT_SESSIONS.pop(), domain="127.0.0.1")

    @task(3)
    def home(self):
        self.client.get("/portal/", name="portal home")

    @task(4)
    def plan(self):
        self.client.get("/portal/plan/", name="portal plan")

    @task(2)
    def easy_read(self):
        self.client.get("/portal/plan/easy-read", name="portal easy read")

    @task(1)
    def my_data(self):
        self.client.get("/portal/my-data", name="portal my data")

    @task(1)
    def carers(self):
        self.client.get("/portal/carers", name="portal carers")
