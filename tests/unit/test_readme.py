"""The README tells the truth about the command line and the configuration: every
``joinedup`` command, subcommand and option, and every environment variable the code reads,
is documented there (or in the guides it links), and nothing documented there is gone.

Commands are read from their argument parsers; environment variables from the code itself
(``os.environ.get``, ``os.environ[...]``, ``... in os.environ``, ``os.getenv`` and helpers
named ``*env*`` such as ``settings._env_bool``). Variables read in ``joinedup/`` belong in
the README's configuration table; those only the tests and benchmarks read, anywhere in the
README or its guides."""

import argparse
import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand

REPOSITORY = Path(__file__).resolve().parents[2]
README = REPOSITORY / "README.md"
# Decision records are history: they may name what has since changed.
NOT_CHECKED = REPOSITORY / "docs" / "adr"

ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*[A-Z0-9]")
OWN_ENV_NAME = re.compile(r"(JOINEDUP|BENCH)_[A-Z0-9_]+")
VERB = re.compile(r"[a-z][a-z0-9_-]*")


# --- the documents ---------------------------------------------------------------------


def documents(start: Path = README) -> dict[Path, str]:
    """The README and every Markdown file it links to, and they to, outside docs/adr/."""
    found: dict[Path, str] = {}
    todo = [start]
    while todo:
        path = todo.pop()
        if path in found or not path.exists() or path.is_relative_to(NOT_CHECKED):
            continue
        found[path] = path.read_text()
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", found[path]):
            if "://" not in target:
                todo.append((path.parent / target).resolve())
    return found


def code_spans(text: str) -> list[str]:
    """Inline code and the lines of fenced code blocks."""
    spans = []
    fenced = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
    for block in fenced.findall(text):
        spans += block.splitlines()
    for span in re.findall(r"`([^`]+)`", fenced.sub("", text)):  # may run over a line end
        spans.append(" ".join(span.replace("\\|", "|").split()))
    return [span.strip() for span in spans]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row (``\\|`` inside a cell kept)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and not re.fullmatch(r"\|[\s:|-]*", line):
            cells = re.split(r"(?<!\\)\|", line.strip("|"))
            rows.append([cell.strip() for cell in cells])
    return rows


def configuration_rows(text: str) -> set[str]:
    """Variables named in the first cell of a table row that names only variables."""
    named = set()
    for row in table_rows(text):
        spans = re.findall(r"`([^`]+)`", row[0])
        if spans and all(ENV_NAME.fullmatch(s) for s in spans):
            named.update(spans)
    return named


# --- commands --------------------------------------------------------------------------

DJANGO_OPTIONS = {
    option
    for action in BaseCommand().create_parser("joinedup", "x")._actions
    for option in action.option_strings
}


@dataclass
class CommandShape:
    """A command's subcommands (paths of verbs) and the options of each. ``shared``: the
    command takes one verb as a positional choice and its options serve every verb."""

    name: str
    ours: bool
    verbs: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    shared: bool = False

    def options(self, path: tuple[str, ...] = ()) -> set[str]:
        return set().union(
            *(options for verbs, options in self.verbs.items() if verbs[: len(path)] == path)
        )


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...], shape: CommandShape):
    options, verbs, sub = set(), None, None
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action
        elif action.option_strings:
            options |= {o for o in action.option_strings if o.startswith("--")} - DJANGO_OPTIONS
        elif action.choices:
            verbs = list(action.choices)
    if sub is not None:
        for name, child in sub.choices.items():
            _walk(child, (*path, name), shape)
    elif verbs is not None:
        shape.shared = True
        for verb in verbs:
            shape.verbs[(*path, verb)] = set(options)
    else:
        shape.verbs[path] = options


def command_shapes() -> dict[str, CommandShape]:
    shapes = {}
    for name, app in get_commands().items():
        shape = CommandShape(name=name, ours=app.startswith("joinedup."))
        _walk(load_command_class(app, name).create_parser("joinedup", name), (), shape)
        shapes[name] = shape
    return shapes


@dataclass(frozen=True)
class Usage:
    """A documented command line: ``joinedup care build-caseload``."""

    text: str
    command: str
    verbs: tuple[str, ...]
    options: frozenset[str]


def usages(texts) -> list[Usage]:
    found = []
    for text in texts:
        for span in code_spans(text):
            words = span.replace("[", " ").replace("]", " ").split()
            if words and words[0] == ".venv/bin/joinedup":
                words[0] = "joinedup"
            if len(words) < 2 or words[0] != "joinedup":
                continue
            verbs = []
            for word in words[2:]:
                if not VERB.fullmatch(word):
                    break
                verbs.append(word)
            options = {w.split("=")[0].rstrip(",.;:") for w in words if w.startswith("--")}
            found.append(Usage(span, words[1], tuple(verbs), frozenset(options)))
    return found


def command_problems(texts, shapes: dict[str, CommandShape]) -> list[str]:
    documented = usages(texts)
    problems = []
    for usage in documented:
        shape = shapes.get(usage.command)
        if shape is None:
            problems.append(f"documented, but there is no command '{usage.command}': {usage.text}")
            continue
        if not any(path[: len(usage.verbs)] == usage.verbs for path in shape.verbs):
            problems.append(f"documented, but there is no such subcommand: {usage.text}")
            continue
        known = shape.options(() if shape.shared else usage.verbs) | DJANGO_OPTIONS
        for option in sorted(usage.options - known):
            problems.append(f"documented, but there is no option {option}: {usage.text}")
    for shape in shapes.values():
        if not shape.ours:
            continue
        mine = [u for u in documented if u.command == shape.name]
        if not mine:
            problems.append(f"not documented: the command 'joinedup {shape.name}'")
            continue
        for path, options in shape.verbs.items():
            words = " ".join(("joinedup", shape.name, *path))
            if not any(u.verbs == path for u in mine):
                problems.append(f"not documented: '{words}'")
            uses = mine if shape.shared else [u for u in mine if u.verbs == path]
            for option in sorted(options - set().union(*(u.options for u in uses))):
                where = f"joinedup {shape.name}" if shape.shared else words
                problems.append(f"not documented: '{where}' option {option}")
    return sorted(set(problems))


# --- environment variables -------------------------------------------------------------


def _is_environ(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _name_of(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def environment(folders=("joinedup", "tests", "bench")) -> tuple[dict[str, set[str]], set[str]]:
    """Which variables the code reads (name → the top folders reading it), and which it
    sets itself (``os.environ[NAME] = ...``)."""
    reads: dict[str, set[str]] = {}
    sets: set[str] = set()
    for folder in folders:
        for path in (REPOSITORY / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                name = None
                if isinstance(node, ast.Call) and node.args:
                    first = node.args[0]
                    func = node.func
                    reading = (
                        isinstance(func, ast.Attribute)
                        and func.attr == "get"
                        and _is_environ(func.value)
                    ) or _name_of(func) == "getenv"
                    helper = "env" in _name_of(func).lower() and not isinstance(func, ast.Attribute)
                    if (reading or helper) and isinstance(first, ast.Constant):
                        name = first.value
                elif isinstance(node, ast.Subscript) and _is_environ(node.value):
                    if isinstance(node.slice, ast.Constant):
                        if isinstance(node.ctx, ast.Store):
                            sets.add(node.slice.value)
                        else:
                            name = node.slice.value
                elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant):
                    if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops) and any(
                        _is_environ(c) for c in node.comparators
                    ):
                        name = node.left.value
                if isinstance(name, str) and ENV_NAME.fullmatch(name):
                    reads.setdefault(name, set()).add(folder)
    return reads, sets


def environment_problems(readme: str, texts, reads, sets) -> list[str]:
    problems = []
    in_readme_table = configuration_rows(readme)
    everywhere = {s for text in texts for s in code_spans(text)}
    for name, folders in sorted(reads.items()):
        if "joinedup" in folders:
            if name not in in_readme_table:
                problems.append(f"not in the README's configuration table: {name}")
        elif name in sets:
            continue  # handed from one part of the code to another (bench → locust)
        elif name not in everywhere:
            problems.append(f"not documented: {name} (read in {', '.join(sorted(folders))})")
    documented = {s for text in texts for s in configuration_rows(text)}
    documented |= {s for s in everywhere if OWN_ENV_NAME.fullmatch(s)}
    for name in sorted(documented - set(reads)):
        problems.append(f"documented, but nothing reads the environment variable {name}")
    return problems


# --- the tests -------------------------------------------------------------------------


def test_every_command_subcommand_and_option_is_documented_and_exists():
    problems = command_problems(documents().values(), command_shapes())
    assert not problems, "\n".join(problems)


def test_every_environment_variable_is_documented_and_read():
    docs = documents()
    problems = environment_problems(docs[README], docs.values(), *environment())
    assert not problems, "\n".join(problems)


def test_the_readme_links_its_guides():
    linked = {p.relative_to(REPOSITORY).as_posix() for p in documents()}
    assert {"docs/architecture.md", "docs/glossary.md", "CONTRIBUTING.md"} <= linked


def test_the_checks_see_what_is_missing_and_what_is_gone():
    shapes = command_shapes()
    readme = "| `joinedup serve --port P --workers N --colour` | ... |\n`joinedup care demo`"
    problems = command_problems([readme], shapes)
    assert "not documented: 'joinedup serve' option --host" in problems
    assert "not documented: 'joinedup care build-caseload'" in problems
    assert "not documented: the command 'joinedup identity'" in problems
    assert any("no option --colour" in p for p in problems)
    gone = command_problems(["`joinedup care rebuild`", "`joinedup frobnicate`"], shapes)
    assert any("no such subcommand: joinedup care rebuild" in p for p in gone)
    assert any("no command 'frobnicate'" in p for p in gone)

    table = "| variable | default |\n| --- | --- |\n| `JOINEDUP_GONE`, `DATABASE_URL` | x |\n"
    reads = {"DATABASE_URL": {"joinedup"}, "JOINEDUP_LOG_LEVEL": {"joinedup"}}
    problems = environment_problems(table, [table], reads, set())
    assert problems == [
        "not in the README's configuration table: JOINEDUP_LOG_LEVEL",
        "documented, but nothing reads the environment variable JOINEDUP_GONE",
    ]


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_between_the_documents_leads_somewhere():
    broken = []
    for path, text in documents().items():
        for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            linked = (path.parent / target).resolve() if target else path
            if not linked.exists():
                broken.append(f"{path.name}: {target} does not exist")
            elif anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(), re.M)
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append(f"{path.name}: no heading #{anchor} in {linked.name}")
    assert not broken, "\n".join(broken)
