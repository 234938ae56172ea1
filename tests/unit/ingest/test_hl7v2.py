"""Reading HL7 v2 ADT messages and writing their acknowledgements (no database)."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.ingest import hl7v2
from tests.adt_corpus import messages, msa


def _first(name: str) -> bytes:
    return messages(name)[0]


def test_an_admission_is_read_with_its_escapes_repeats_and_z_segments():
    adt = hl7v2.read(_first("01_admit_transfer_discharge.hl7"))
    assert (adt.event, adt.header.control_id, adt.header.sending_facility) == (
        "A01",
        "RJ1-0001",
        "RJ1",
    )
    assert adt.nhs_number == "9434765803"
    assert adt.hospital_numbers == [("RJ1A000123", "RJ1")]
    assert adt.patient_class == "I" and adt.visit_number == "V1001"
    assert adt.location == "NIGHTINGALE & SEACOLE, BAY 2, BED 3"  # \T\ is &
    assert adt.admitted_at.strftime("%H:%M") == "08:05" and adt.discharged_at is None
    assert "\rZPV|1|" in adt.text  # kept as sent


def test_the_nhs_number_may_be_named_by_its_oid_and_optional_fields_may_be_missing():
    adt = hl7v2.read(_first("02_ae_attendance.hl7"))
    assert adt.nhs_number == "9434765811" and adt.patient_class == "E"
    assert adt.location == "" and adt.admitted_at is None
    assert adt.occurred_at.strftime("%H:%M") == "22:15"  # EVN-2, as PV1-44 is empty


def test_latin_1_is_read_when_msh_18_says_so_and_refused_when_it_does_not():
    said, unsaid = messages("06_latin1.hl7")
    assert hl7v2.read(said).location == "RÉSUS"
    with pytest.raises(hl7v2.Refused) as refused:
        hl7v2.read(unsaid)
    assert (refused.value.code, refused.value.where) == ("AE", "MSH-18")
    assert "byte" in refused.value.reason


@pytest.mark.parametrize(
    ("index", "code", "where"),
    [
        (0, "AE", "MSH-10"),
        (1, "AR", "MSH-9"),
        (2, "AR", "MSH-9"),
        (3, "AE", "PID-3"),
        (4, "AE", "PID"),
        (5, "AE", "PV1-44"),
        (7, "AR", "MSH-18"),
    ],
)
def test_malformed_messages_are_refused_naming_the_field(index, code, where):
    with pytest.raises(hl7v2.Refused) as refused:
        hl7v2.read(messages("07_refused.hl7")[index])
    assert (refused.value.code, refused.value.where) == (code, where)
    assert "9434765" not in str(refused.value)  # the reason never holds the patient


def test_nul_characters_are_refused_and_left_out_of_the_header():
    raw = _first("02_ae_attendance.hl7").replace(b"|RJ1-0101|", b"|RJ1\x00-0101|")
    with pytest.raises(hl7v2.Refused) as refused:
        hl7v2.read(raw)
    assert refused.value.code == "AE" and refused.value.header.control_id == "RJ1-0101"


def test_not_hl7_at_all_is_refused():
    with pytest.raises(hl7v2.Refused) as refused:
        hl7v2.read(b"hello")
    assert refused.value.code == "AR" and refused.value.header.control_id == ""


def test_newlines_between_segments_are_read_as_carriage_returns():
    raw = _first("01_admit_transfer_discharge.hl7").replace(b"\r", b"\r\n")
    assert hl7v2.read(raw).visit_number == "V1001"


def test_timestamps_with_and_without_offsets_and_precision():
    assert hl7v2.parse_timestamp("") is None
    when = hl7v2.parse_timestamp("20260304153012.1234-0500")
    assert when.utcoffset() == -timedelta(hours=5) and when.second == 12
    assert hl7v2.parse_timestamp("2026").month == 1
    for bad in ("31/12/2025", "2026-03-04", "20261304"):
        with pytest.raises(ValueError):
            hl7v2.parse_timestamp(bad)


def test_acknowledgements_echo_the_message_and_escape_their_text():
    header = hl7v2.read_header(_first("01_admit_transfer_discharge.hl7"))
    ack = hl7v2.ack(header, code="AA", ack_id="X1", text="fine")
    assert ack.startswith(b"MSH|^~\\&|JOINEDUP|JOINEDUP|PAS|RJ1|")
    assert b"|ACK^A01^ACK|X1|P|2.4\r" in ack
    assert msa(ack) == ("AA", "RJ1-0001", "fine")
    nack = hl7v2.ack(
        header, code="AE", ack_id="X2", text="a|b^c&d~e\\f", error="101", where="PID-3"
    )
    assert b"MSA|AE|RJ1-0001|a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\r" in nack
    assert b"\rERR||PID^1^3|101^^HL70357|E||||" in nack


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600) | st.text(max_size=400).map(lambda t: ("MSH|^~\\&|" + t).encode()))
def test_random_bytes_are_refused_or_read_never_a_crash(raw):
    try:
        hl7v2.read(raw)
    except hl7v2.Refused as refused:
        assert refused.code in ("AE", "AR")
        hl7v2.ack(refused.header, code=refused.code, ack_id="x", text=refused.reason)
