"""Population pages for analysts: prevalence, inequalities, realism, CSV export.

Only suppressed aggregates are shown or downloaded here (docs/architecture.md, convention 6).
"""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from joinedup.core.actions import record_audit

from . import charts, queries
from .exports import AGGREGATE_COLUMNS, suppressed_aggregates
from .permissions import may_view_population

DIMENSION_LABELS = {
    "imd_quintile": "Deprivation (IMD quintile)",
    "ethnicity_group": "Ethnic group",
    "age_band": "Age band",
    "sex": "Sex",
    "lcn": "Local care network",
    "neighbourhood": "Neighbourhood",
    "practice": "GP practice",
    "imd_quintile x age_band": "Deprivation by age band",
}


def _allowed(request):
    if not may_view_population(request.membership):
        raise PermissionDenied("Population figures are for staff of the partnership")


@login_required
def dashboard(request):
    _allowed(request)
    run = queries.current_run()
    if run is None:
        return render(request, "population/no_run.jinja", {"title": "Population health"})
    data = queries.dashboard(run)
    dimension = request.GET.get("by", "imd_quintile")
    if dimension not in DIMENSION_LABELS:
        dimension = "imd_quintile"
    threshold = run.config.get("threshold", 3)
    return render(
        request,
        "population/dashboard.jinja",
        {
            "run": run,
            "data": data,
            "overall": sorted(
                data.rows_by_dimension.get("all", []),
                key=lambda r: (r["measure"] != "multimorbidity", data.labels.get(r["measure"], "")),
            ),
            "dimension": dimension,
            "dimension_labels": DIMENSION_LABELS,
            "stratum_rows": data.rows_by_dimension.get(dimension, []),
            "imd_chart": charts.multimorbidity_by_deprivation(
                run, data.rows_by_dimension.get("imd_quintile", []), threshold
            ),
            "age_chart": charts.multimorbidity_by_age_and_deprivation(
                run, data.rows_by_dimension.get("imd_quintile x age_band", []), threshold
            ),
        },
    )


@login_required
def aggregates_csv(request):
    _allowed(request)
    run = queries.current_run()
    if run is None:
        raise PermissionDenied("No population run yet")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aggregates-run-{run.pk}.csv"'
    writer = csv.DictWriter(response, fieldnames=AGGREGATE_COLUMNS)
    writer.writeheader()
    writer.writerows(suppressed_aggregates(run))
    record_audit(
        by=request.user,
        organisation=request.membership.organisation,
        action="population.export_aggregates",
        object_type="population_run",
        object_id=run.pk,
    )
    return response
