"""Keeping it current: verification, update requests, problem reports, the curators' queue."""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core.actions import record_audit
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.models import (
    Membership,
    User,
)
from joinedup.core.permissions import may_curate_directory
from joinedup.core.tokens import digest as _digest

from ..models import (
    ProblemReport,
    Service,
    ServiceStatus,
    UpdateRequest,
)

ASK_AGAIN_DAYS = 30  # a provider is not asked again sooner than this
ANSWER_DAYS = 60  # an update request's link works this long
MAX_DETAIL = 2000


def verified_before(today: date | None = None) -> date:
    """Listings last verified before this date are out of date."""
    return (today or timezone.localdate()) - timedelta(days=settings.DIRECTORY_VERIFY_DAYS)


def stale_services(today: date | None = None):
    return Service.objects.filter(status=ServiceStatus.ACTIVE).filter(
        Q(assured_date__isnull=True) | Q(assured_date__lt=verified_before(today))
    )


@transaction.atomic
def request_updates(*, by: User | None, link_base: str, today: date | None = None) -> dict:
    """Ask the provider of every out-of-date listing to check it (by email, with a link
    that needs no account), unless they were asked recently. Returns the counts."""
    now = timezone.now()
    recently = now - timedelta(days=ASK_AGAIN_DAYS)
    asked = UpdateRequest.objects.filter(sent_at__gte=recently).values("service_id")
    counts = {"out of date": 0, "asked": 0, "asked recently": 0, "no email": 0}
    asked_ids = set(asked.values_list("service_id", flat=True))
    mails = []
    for service in stale_services(today).select_related("organisation").order_by("pk"):
        counts["out of date"] += 1
        if service.pk in asked_ids:
            counts["asked recently"] += 1
            continue
        email = service.email or service.organisation.email
        if not email:
            counts["no email"] += 1
            continue
        token = secrets.token_urlsafe(32)
        UpdateRequest.objects.create(
            service=service, token_hash=_digest(token), sent_to=email, sent_at=now
        )
        checked = (
            f"last checked on {service.assured_date:%d %B %Y}"
            if service.assured_date
            else "never checked"
        )
        mails.append(
            Mail(
                to=email,
                subject=f"Is your listing still right? {service.name}",
                body=f"The borough's service directory lists {service.name} "
                f"({service.organisation.name}), {checked}.\n\n"
                "Please tell us whether it is still right, or what has changed, here (no "
                f"account needed; the link works for {ANSWER_DAYS} days):\n{link_base}{token}\n",
            )
        )
        counts["asked"] += 1
    send_after_commit(mails, what="listing update requests")
    record_audit(by=by, action="directory.update_requests", detail=counts)
    return counts


def find_update_request(token: str) -> UpdateRequest | None:
    """The unanswered, unexpired request a link's token belongs to."""
    return (
        UpdateRequest.objects.select_related("service__organisation")
        .filter(
            token_hash=_digest(token or ""),
            answered_at=None,
            sent_at__gte=timezone.now() - timedelta(days=ANSWER_DAYS),
        )
        .first()
    )


@transaction.atomic
def answer_update(*, request: UpdateRequest, still_correct: bool, changes: str = "") -> None:
    """The provider confirms the listing (it is verified today) or says what changed (a
    report for the curators)."""
    changes = (changes or "").strip()
    if not still_correct and not changes:
        raise ValidationError({"changes": "Say what has changed"})
    if len(changes) > MAX_DETAIL:
        raise ValidationError({"changes": f"Keep it to {MAX_DETAIL:,} characters"})
    now = timezone.now()
    service = request.service
    if still_correct:
        service.assured_date = timezone.localdate()
        service.last_modified = now
        service.save(update_fields=["assured_date", "last_modified"])
    else:
        ProblemReport.objects.create(
            service=service, kind=ProblemReport.Kind.PROVIDER, detail=changes, reported_at=now
        )
    request.answered_at = now
    request.still_correct = still_correct
    request.save(update_fields=["answered_at", "still_correct"])
    record_audit(
        by=None,
        action="directory.update_answered",
        object_type="service",
        object_id=service.oruk_id,
        detail={"still_correct": still_correct},
    )


def report_problem(
    *, service: Service, kind: str, detail: str, by: User | None, resident: bool = False
) -> ProblemReport:
    """Anyone signed in (staff or resident) says a listing is wrong."""
    detail = (detail or "").strip()
    if kind not in ProblemReport.Kind.values or kind == ProblemReport.Kind.PROVIDER:
        raise ValidationError({"kind": "Choose what is wrong"})
    if kind == ProblemReport.Kind.OTHER and not detail:
        raise ValidationError({"detail": "Say what is wrong"})
    if len(detail) > MAX_DETAIL:
        raise ValidationError({"detail": f"Keep it to {MAX_DETAIL:,} characters"})
    report = ProblemReport.objects.create(
        service=service,
        kind=kind,
        detail=detail,
        reported_at=timezone.now(),
        reported_by=by if by is not None and by.is_authenticated else None,
        reported_by_resident=resident,
    )
    record_audit(
        by=report.reported_by,
        action="directory.problem_report",
        object_type="service",
        object_id=service.oruk_id,
        detail={"kind": kind, "resident": resident},
    )
    return report


@transaction.atomic
def resolve_problem(
    *,
    by: User,
    membership: Membership,
    report: ProblemReport,
    status: str,
    resolution: str,
    close_service: bool = False,
) -> ProblemReport:
    """A curator closes a report: fixed (what they did) or not a problem; optionally the
    service is marked as no longer running."""
    if not may_curate_directory(membership):
        raise PermissionDenied("Only directory curators work the queue")
    if status not in (ProblemReport.Status.FIXED, ProblemReport.Status.DISMISSED):
        raise ValidationError({"status": "Choose fixed or not a problem"})
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "Say what you did or why it is not a problem"})
    if len(resolution) > MAX_DETAIL:
        raise ValidationError({"resolution": f"Keep it to {MAX_DETAIL:,} characters"})
    report.status, report.resolution = status, resolution
    report.resolved_by, report.resolved_at = by, timezone.now()
    report.save()
    if close_service:
        Service.objects.filter(pk=report.service_id).update(
            status=ServiceStatus.DEFUNCT, last_modified=timezone.now()
        )
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.problem_resolved",
        object_type="service",
        object_id=report.service.oruk_id,
        detail={"status": status, "closed": close_service},
    )
    return report


def verify_service(*, by: User, membership: Membership, service: Service) -> Service:
    """A curator has checked a listing with the provider: it is verified today."""
    if not may_curate_directory(membership):
        raise PermissionDenied("Only directory curators verify listings")
    service.assured_date = timezone.localdate()
    service.last_modified = timezone.now()
    service.save(update_fields=["assured_date", "last_modified"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.verified",
        object_type="service",
        object_id=service.oruk_id,
    )
    return service
