"""How an audit report is read: vulnerabilities fail, an unreachable advisory service
skips, and a package that alone could not be checked fails (it is not silently passed)."""

from tests.dependency_audit import read_npm_audit, read_pip_audit


def test_a_vulnerable_python_package_is_named_with_its_fix():
    finding = read_pip_audit({"dependencies": [
        {"name": "django", "version": "5.2.1", "vulns": [
            {"id": "PYSEC-2025-1", "fix_versions": ["5.2.2", "5.1.10"], "aliases": ["CVE-2025-1"]},
        ]},
        {"name": "requests", "version": "2.32.5", "vulns": []},
    ]})  # fmt: skip
    assert finding.vulnerable == ["django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2, 5.1.10)"]
    assert finding.audited == 2 and not finding.unreachable and not finding.unchecked


def test_no_fix_is_said_plainly():
    finding = read_pip_audit({"dependencies": [
        {"name": "lxml", "version": "6.0.0", "vulns": [{"id": "GHSA-x", "fix_versions": []}]},
    ]})  # fmt: skip
    assert finding.vulnerable == ["lxml 6.0.0: GHSA-x (fixed in no fixed release)"]


def test_every_lookup_failing_means_the_advisory_data_was_not_reached():
    not_found = "Dependency not found on PyPI and could not be audited"
    finding = read_pip_audit({"dependencies": [
        {"name": "django", "skip_reason": f"{not_found}: django (5.2.8)"},
        {"name": "requests", "skip_reason": f"{not_found}: requests (2.32.5)"},
    ]})  # fmt: skip
    assert finding.unreachable.startswith("PyPI's advisory data: django: Dependency not found")
    assert finding.audited == 0


def test_one_package_that_could_not_be_checked_is_not_an_unreachable_service():
    finding = read_pip_audit({"dependencies": [
        {"name": "django", "version": "5.2.8", "vulns": []},
        {"name": "in-house", "skip_reason": "Dependency not found on PyPI"},
    ]})  # fmt: skip
    assert not finding.unreachable
    assert finding.unchecked == ["in-house: Dependency not found on PyPI"]


def test_npm_advisories_and_the_packages_that_pull_them_in():
    finding = read_npm_audit({
        "auditReportVersion": 2,
        "vulnerabilities": {
            "nhsuk-frontend": {"severity": "high", "range": "<=10.6.1", "via": ["axe-core"]},
            "axe-core": {"severity": "high", "range": "<4.11.5", "via": [
                {"title": "Prototype pollution", "url": "https://github.com/advisories/GHSA-y"}]},
        },
        "metadata": {"dependencies": {"total": 2}},
    })  # fmt: skip
    assert finding.vulnerable == [
        "axe-core <4.11.5: high (https://github.com/advisories/GHSA-y)",
        "nhsuk-frontend <=10.6.1: high (through axe-core)",
    ]
    assert finding.audited == 2


def test_npm_clean_report():
    finding = read_npm_audit(
        {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"dependencies": {"total": 2}}}
    )
    assert finding.vulnerable == [] and finding.audited == 2 and not finding.unreachable


def test_npm_registry_refusing_the_audit_is_unreachable():
    finding = read_npm_audit({
        "message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk",
        "statusCode": 405, "error": {"summary": "", "detail": ""},
    })  # fmt: skip
    assert finding.unreachable.startswith("the npm registry's advisories: 405 Method Not Allowed")
