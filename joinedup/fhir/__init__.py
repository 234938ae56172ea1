"""fhir: see docs/architecture.md."""
