"""Property-based tests of the importers and public forms that write to the database:
random bytes, hostile text and deep JSON give a clear error and leave nothing half-saved;
markup typed into any free-text field comes back escaped, never as markup."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.directory import actions as directory
from joinedup.directory.models import Service
from joinedup.engagement import actions as engagement
from joinedup.engagement.models import Feedback, PanelMember, Respondent
from tests.factories import World

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "=HYPERLINK(\"x\")",
    "'; DROP TABLE people; --", "\u202e", "\x00", "a" * 20_000, "{{ 7*7 }}", "%s%s%n",
]) | st.text(max_size=80)  # fmt: skip


class TestImporters(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = World()
        cls.officer = cls.world.user("engagement_officer", cls.world.practice_a)

    @FAST
    @given(st.binary(max_size=400))
    def test_open_referral_feed_any_bytes(self, data):
        before = Service.objects.count()
        try:
            directory.import_feed(by=None, source="feed.json", data=data)
        except ValidationError:
            assert Service.objects.count() == before

    def test_open_referral_feed_nested_too_deeply(self):
        with pytest.raises(ValidationError, match="nested too deeply"):
            directory.import_feed(by=None, source="deep.json", data=b"[" * 50_000 + b"]" * 50_000)

    @FAST
    @given(st.text(max_size=400))
    def test_feedback_file_any_text(self, text):
        before = Feedback.objects.count()
        try:
            engagement.import_feedback(by=self.officer, text=text, name="f.csv")
        except ValidationError:
            assert Feedback.objects.count() == before

    @FAST
    @given(st.text(max_size=400))
    def test_assembly_replies_any_text(self, text):
        assembly = engagement.create_assembly(
            by=self.officer, name="A", question="Q", size=5, categories=["sex"]
        )
        try:
            engagement.add_replies(by=self.officer, assembly=assembly, text=text, name="r.csv")
        except ValidationError:
            assert not Respondent.objects.filter(assembly=assembly).exists()


class TestPublicForms(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = World()

    @FAST
    @given(HOSTILE, HOSTILE)
    def test_panel_sign_up_echoes_nothing_as_markup(self, name, postcode):
        answer = self.client.post(
            reverse("engagement:join"),
            {"given_name": name, "family_name": name, "postcode": postcode, "consent": "yes"},
        )
        assert answer.status_code in (302, 400)
        page = answer.content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert not PanelMember.objects.exists()  # the form is incomplete: nothing saved

    @FAST
    @given(HOSTILE)
    def test_public_feedback_is_stored_as_text_and_shown_escaped(self, text):
        answer = self.client.post(reverse("engagement:give-feedback"), {"text": text})
        assert answer.status_code in (200, 400)
        assert "<script>alert(1)" not in answer.content.decode()

    def test_fhir_api_body_nested_too_deeply(self):
        from joinedup.core.actions import create_api_token

        gp = self.world.user("gp", self.world.practice_a)
        token = create_api_token(by=None, user=gp, organisation=self.world.practice_a)
        answer = self.client.post(
            "/fhir/Goal",
            data=b"[" * 50_000 + b"]" * 50_000,
            content_type="application/fhir+json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 400, answer.content[:300]
        assert "nested too deeply" in answer.content.decode()
        assert json.loads(answer.content)["resourceType"] == "OperationOutcome"
