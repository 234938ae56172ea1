"""The CapabilityStatement at /fhir/metadata."""

from ..capability import capability_statement
from ._common import _base, api


@api.get("/metadata", auth=None, summary="CapabilityStatement", response=dict)
def metadata(request):
    return capability_statement(_base(request))
