"""Sections other apps add to the person summary (population profile, care plan...).

``people`` never imports those apps: they register a panel here from ``ready()``. A panel
is a function of the person and ``show_sensitive`` (may the viewer see sensitive sections,
``people.access.sees_sensitive``) returning (template name, context) or None when it has
nothing to show.
"""

from collections.abc import Callable

Panel = Callable[..., tuple[str, dict] | None]
_PANELS: dict[str, Panel] = {}


def register_summary_panel(name: str, panel: Panel) -> None:
    _PANELS[name] = panel


def summary_panels(person, *, show_sensitive: bool) -> list[str]:
    """The HTML of every panel that has something to show for this person."""
    from django.template.loader import render_to_string

    shown = []
    for panel in _PANELS.values():
        result = panel(person, show_sensitive=show_sensitive)
        if result is not None:
            template, context = result
            shown.append(render_to_string(template, context))
    return shown
