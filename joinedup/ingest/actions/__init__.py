"""Every write of ingest: coded records from extracts into the analytics store
(``extracts``), and a hospital's live ADT feed (``adt``).

One module per subject; everything is imported here, so callers use
``from joinedup.ingest import actions`` and ``actions.import_fhir(...)``."""

from .adt import Receipt, receive_adt, retry_adt  # noqa: F401
from .extracts import ImportReport, import_events_csv, import_fhir  # noqa: F401
