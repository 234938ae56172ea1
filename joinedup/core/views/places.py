"""Place settings: every place's settings beside the system's default (system and
organisation admins), and changing one level's settings (system admins), each change a
new version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from joinedup.core import place_settings
from joinedup.core.forms import error_messages
from joinedup.core.models import Place
from joinedup.core.permissions import may_change_place_settings, may_read_place_settings

SYSTEM = "system"
# The sections the page has fields for; the rest (the assessment's own questions, the
# directory's feeds) are set in the settings file and shown here as they are.
ON_THE_PAGE = ("cohort", "conditions", "review_interval_days", "priority")


def _level(code: str) -> Place | None:
    return None if code == SYSTEM else get_object_or_404(Place, code=code)


@login_required
def compare(request):
    if not may_read_place_settings(request.membership):
        raise PermissionDenied("Place settings are for system and organisation admins")
    values = place_settings.by_place()
    places = list(Place.objects.order_by("name"))
    own = {p.code: place_settings.overrides(p) for p in places}
    rows = []
    for section in place_settings.sections():
        cells = [(section.describe(values[None][section.name]), False)]
        cells += [
            (section.describe(values[p.code][section.name]), section.name in own[p.code])
            for p in places
        ]
        rows.append((section, cells))
    return render(
        request,
        "core/place_settings.jinja",
        {
            "places": places,
            "rows": rows,
            "may_change": may_change_place_settings(request.membership),
            "system": SYSTEM,
        },
    )


def _form_values(data, current: dict, inherited: dict) -> dict:
    """The level's own settings from the form: a section left "as the level above" is
    not set; anything else is read from its fields (errors as ValueError by section)."""
    chosen: dict = {}
    errors: dict[str, str] = {}

    def number(name: str, kind=int):
        text = str(data.get(name, "")).strip()
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"'{text[:10]}' is not a number") from None

    for section in place_settings.sections():
        name = section.name
        if data.get(f"{name}-inherit"):
            continue
        try:
            if name == "cohort":
                chosen[name] = {
                    "min_conditions": number("cohort-min_conditions"),
                    "frailty_bands": data.getlist("cohort-frailty_bands"),
                }
            elif name == "conditions":
                chosen[name] = data.getlist("conditions")
            elif name == "review_interval_days":
                chosen[name] = number("review_interval_days")
            elif name == "priority":
                base = inherited[name]
                chosen[name] = {
                    "frailty": {b: number(f"priority-frailty-{b}", float) for b in base["frailty"]},
                    "deprivation": {
                        q: number(f"priority-deprivation-{q}", float) for q in base["deprivation"]
                    },
                    **{
                        k: number(f"priority-{k}", float)
                        for k in ("admission", "ae", "hospital_cap")
                    },
                }
            elif name in current:
                chosen[name] = current[name]  # set in the settings file; kept as it is
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return chosen


@login_required
def edit(request, code: str):
    if not may_change_place_settings(request.membership):
        raise PermissionDenied("Only system admins change place settings")
    place = _level(code)
    current = place_settings.overrides(place)
    above = place_settings.effective(None) if place else place_settings.defaults()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            chosen = _form_values(request.POST, current, above)
            saved = place_settings.save(
                by=request.user,
                place=place,
                values=chosen,
                note=str(request.POST.get("note", "")).strip(),
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            name = place.name if place else "The system's default"
            done = f"saved as version {saved.version}" if saved else "nothing changed"
            messages.success(request, f"{name}: {done}.")
            return redirect("core:place-settings")
    shown = place_settings.effective(place)
    options: dict[str, list[tuple[str, str]]] = {}
    for section in place_settings.sections():
        options.update(section.options())
    return render(
        request,
        "core/place_settings_edit.jinja",
        {
            "place": place,
            "code": code,
            "own": current,
            "shown": shown,
            "above": above,
            "sections": {s.name: s for s in place_settings.sections()},
            "options": options,
            "in_the_file": [
                (section.title, section.describe(shown[section.name]), section.name in current)
                for section in place_settings.sections()
                if section.name not in ON_THE_PAGE
            ],
            "history": place_settings.history(place),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
