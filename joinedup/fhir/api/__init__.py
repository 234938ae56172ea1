"""The FHIR R4 API under /fhir: read and search of Patient, CarePlan, CareTeam, Goal, Task,
Condition, Questionnaire, QuestionnaireResponse, Organization, Practitioner,
PractitionerRole and AuditEvent; create and update of Task and Goal; the
CapabilityStatement at /fhir/metadata.

Bearer tokens (``joinedup token create``) act as one membership, and every read goes
through the same legitimate-relationship rule as the pages (``people.access``), with the
same audit. A resource the caller may not see is "not found", whether or not it exists.
Errors are OperationOutcomes naming the problem.

One module per resource; ``api`` (``joinedup.fhir.api.api``) is made in ``_common``, and each
resource module adds its operations to it when imported, so every one is imported here, in
the order the operations are listed.
"""

# isort: off
from ._common import api
from . import metadata, patient, organization, careplan, task  # noqa: F401
from . import condition, questionnaire, auditevent  # noqa: F401

# isort: on

__all__ = ["api"]
