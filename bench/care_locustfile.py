"""Locust users for bench/care_load.py: care coordinators working the caseload (caseload,
a person's care page, their plan, the inbox) and FHIR clients reading care plans.

The people and plans to visit come from ``BENCH_CARE_TARGETS`` (a JSON file written by
care_load.py); the coordinator's password and the FHIR token from the environment.
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["BENCH_CARE_TARGETS"]).read())
PASSWORD = os.environ["BENCH_CARE_PASSWORD"]
TOKEN = os.environ["BENCH_CARE_TOKEN"]


class Coordinator(HttpUser):
    """A care coordinator at work: think time of a few tenths of a second between pages."""

    wait_time = between(0.2, 0.6)
    weight = 4

    def on_start(self):
        page = self.client.get("/sign-in", name="sign-in")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/sign-in",
            {"username": TARGETS["username"], "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/sign-in"},
            name="sign-in",
        )

    @task(3)
    def caseload(self):
        page = random.randint(1, TARGETS["caseload_pages"])
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
    """A partner system reading care plans (with team and goals) and tasks over FHIR."""

    wait_time = between(0.05, 0.15)
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
