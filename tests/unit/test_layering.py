"""The layering the architecture promises (docs/architecture.md), checked in the source:
demo data is made only by ``synth``, which may import every app; no product app imports
``synth`` (so no product command or page can depend on demo data)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "joinedup"


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_product_app_imports_synth():
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in PACKAGE.rglob("*.py")
        if "synth" not in path.relative_to(PACKAGE).parts[:1]
        for name in imports_of(path)
        if name == "joinedup.synth" or name.startswith("joinedup.synth.")
    )
    assert not offenders, offenders


def test_the_check_finds_an_import_of_synth(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("def f():\n    from joinedup.synth.care import seed_care\n")
    assert "joinedup.synth.care" in imports_of(sample)


@pytest.mark.parametrize("app", ["directory", "ingest", "outcomes"])
def test_other_apps_use_care_only_through_its_declared_interface(app):
    allowed = {"joinedup.care.interface"}
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in (PACKAGE / app).rglob("*.py")
        if "migrations" not in path.parts
        for name in imports_of(path)
        if (name == "joinedup.care" or name.startswith("joinedup.care.")) and name not in allowed
    )
    assert not offenders, offenders


def test_the_check_finds_an_import_of_care_internals(tmp_path):
    sample = tmp_path / "referrals.py"
    sample.write_text("def f():\n    from joinedup.care.actions.tasks import create_task\n")
    assert "joinedup.care.actions.tasks" in imports_of(sample)
