"""Where the reference data the tests read lives: the one place that knows.

Real, public data that no one on this project wrote (Open Referral schemas and a council's
feed, NHS Digital's reference sets as codelists, the LEXIMIN paper's assembly instances) is
kept beside the repository, not in it: its owners ask that it is not copied in. CI and
developers have it at ``../shared/data``; ``JOINEDUP_REFERENCE_DATA`` names another folder.

A test asks for what it reads with :func:`require`, which skips the test with a message
naming the folder when the data is absent. In CI no such skip is allowed
(``tests/allowed_skips.txt``), so a missing folder fails the run there.
"""

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT = REPOSITORY.parent / "shared" / "data"
ROOT = Path(os.environ.get("JOINEDUP_REFERENCE_DATA") or DEFAULT).resolve()

# What the tests read, by name: the folders of the reference data.
CODELISTS = ROOT / "codelists"
ORUK = ROOT / "oruk"
HSDS_SCHEMAS = ORUK / "hsds-3.0" / "schema"
UK_PROFILE_SCHEMAS = ORUK / "uk-profile" / "schema"
BRISTOL_FEED = ORUK / "feeds" / "bristol-services-list-2024.json"
SORTITION = ROOT / "sortition"

SKIP_MESSAGE = "reference data absent"


def require(path: Path) -> Path:
    """``path`` if it is there; otherwise skip the calling test, naming the folder."""
    if not path.exists():
        import pytest

        pytest.skip(
            f"{SKIP_MESSAGE}: {path} is not here (the shared data folder belongs at "
            "../shared/data beside the repository, or set JOINEDUP_REFERENCE_DATA)"
        )
    return path
