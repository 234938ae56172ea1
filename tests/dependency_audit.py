"""Known vulnerabilities in the pinned dependencies: the Python ones (requirements.lock,
by pip-audit against PyPI's advisory data) and the front-end ones (package-lock.json, by
npm audit against the npm registry's advisories).

Each audit's JSON report is read into one `Finding`: the vulnerable packages, the
packages that could not be checked, or that the advisory data could not be reached at
all. Only the last is a reason to skip rather than fail: a machine with no way to the
advisory data cannot say anything about vulnerabilities, and pretending it passed would
be a test that cannot fail (see ADR 0013).
"""

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Finding:
    audited: int = 0
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in …)"
    unchecked: list[str] = field(default_factory=list)  # "name: why"
    unreachable: str = ""  # why no advisory data could be had at all


def read_pip_audit(report: dict) -> Finding:
    """Read `pip-audit -f json` output.

    >>> read_pip_audit({"dependencies": [{"name": "django", "version": "5.2.1",
    ...     "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.2"]}]}]}).vulnerable
    ['django 5.2.1: PYSEC-1 (fixed in 5.2.2)']
    """
    finding = Finding()
    dependencies = report.get("dependencies", [])
    for dependency in dependencies:
        if "skip_reason" in dependency:
            finding.unchecked.append(f"{dependency['name']}: {dependency['skip_reason']}")
            continue
        finding.audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            finding.vulnerable.append(
                f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})"
            )
    if dependencies and not finding.audited:
        # Every lookup failed: PyPI's JSON API is not there (a registry mirror without it,
        # or no network), which says nothing about the packages.
        finding.unreachable = f"PyPI's advisory data: {finding.unchecked[0]}"
    return finding


def read_npm_audit(report: dict) -> Finding:
    """Read `npm audit --json` output (lockfile version 2 or 3)."""
    finding = Finding()
    if "error" in report or "statusCode" in report:
        where = report.get("message") or report.get("error", {}).get("summary") or "no answer"
        finding.unreachable = f"the npm registry's advisories: {where}"
        return finding
    for name, entry in sorted(report.get("vulnerabilities", {}).items()):
        # "via" holds advisories (dicts) or the names of vulnerable packages it depends on.
        via = [v.get("url") or v.get("title", "?") if isinstance(v, dict) else f"through {v}"
               for v in entry.get("via", [])]  # fmt: skip
        finding.vulnerable.append(
            f"{name} {entry.get('range', '')}: {entry.get('severity', '?')} ({', '.join(via)})"
        )
    finding.audited = report.get("metadata", {}).get("dependencies", {}).get("total", 0)
    return finding


def _run(command: list[str], source: str, read) -> Finding:
    """Run an audit that prints a JSON report; output that is not JSON means the audit
    itself could not run (no advisory data), and says what the tool said."""
    answer = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    try:
        report = json.loads(answer.stdout)
    except json.JSONDecodeError:
        tail = (answer.stderr.strip().splitlines() or ["no output"])[-1]
        return Finding(unreachable=f"{source}: {command[0]} said {tail}")
    return read(report)


def run_pip_audit() -> Finding:
    return _run(
        [sys.executable, "-m", "pip_audit", "--requirement", str(ROOT / "requirements.lock"),
         "--no-deps", "--disable-pip", "--vulnerability-service", "pypi",
         "--progress-spinner", "off", "--format", "json"],
        "PyPI's advisory data", read_pip_audit,
    )  # fmt: skip


def run_npm_audit() -> Finding:
    return _run(["npm", "audit", "--json", "--package-lock-only"],
                "the npm registry's advisories", read_npm_audit)  # fmt: skip
