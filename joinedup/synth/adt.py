"""A fictional hospital's ADT feed, as its patient administration system would send it
over MLLP: for the listener's tests and its benchmark (``bench/adt_feed.py``).

Each visit is an admission (A01) or an A&E attendance (A04), then perhaps a transfer (A02)
or an update (A08), and a discharge (A03); now and then the hospital cancels an admission
(A11) or a discharge (A13). Every message has its own control id, so a stream can be sent
again and must change nothing the second time.
"""

from datetime import date, datetime, time, timedelta

import numpy as np


def adt_stream(
    nhs_numbers: list[str],
    *,
    count: int,
    hospital: str = "RJ1",
    seed: int = 1,
    today: date | None = None,
    prefix: str = "SYN",
) -> list[bytes]:
    """``count`` ADT messages (without MLLP framing) about people with these NHS numbers,
    over the 30 days to ``today``, in the order the hospital would send them."""
    rng = np.random.default_rng(seed)
    today = today or date.today()
    out: list[bytes] = []
    visit = 0
    while len(out) < count:
        visit += 1
        number = nhs_numbers[int(rng.integers(len(nhs_numbers)))]
        ae = rng.random() < 0.4
        start = datetime.combine(today - timedelta(days=int(rng.integers(2, 30))), time(8)) + (
            timedelta(minutes=int(rng.integers(0, 12 * 60)))
        )
        end = start + timedelta(hours=int(rng.integers(3, 6 if ae else 120)))
        visit_number = f"{'AE' if ae else 'V'}{seed}{visit:07d}"
        ward = "EMERGENCY DEPARTMENT^MAJORS" if ae else f"WARD {int(rng.integers(1, 20))}^BAY 1"
        events = [("A04" if ae else "A01", start, ward)]
        if not ae and rng.random() < 0.5:
            events.append(
                ("A02", start + timedelta(hours=2), f"WARD {int(rng.integers(20, 30))}^BAY 2")
            )
        if rng.random() < 0.2:
            events.append(("A08", start + timedelta(hours=3), events[-1][2]))
        if not ae and rng.random() < 0.05:
            events.append(("A11", start + timedelta(hours=4), events[-1][2]))
        else:
            events.append(("A03", end, events[-1][2]))
            if rng.random() < 0.05:
                events.append(("A13", end + timedelta(minutes=30), events[-1][2]))
        for event, when, location in events:
            if len(out) >= count:
                break
            out.append(
                _message(
                    control_id=f"{prefix}{len(out) + 1:08d}",
                    hospital=hospital,
                    event=event,
                    when=when,
                    nhs_number=number,
                    patient_class="E" if ae else "I",
                    location=location,
                    visit_number=visit_number,
                    admitted=start,
                    discharged=end if event == "A03" else None,
                )
            )
    return out


def _message(
    *,
    control_id,
    hospital,
    event,
    when,
    nhs_number,
    patient_class,
    location,
    visit_number,
    admitted,
    discharged,
) -> bytes:
    stamp = when.strftime("%Y%m%d%H%M%S")
    pv1 = ["PV1", "1", patient_class, f"{location}^{hospital}"] + [""] * 42
    pv1[19] = visit_number
    pv1[44] = admitted.strftime("%Y%m%d%H%M")
    pv1[45] = discharged.strftime("%Y%m%d%H%M") if discharged else ""
    segments = [
        f"MSH|^~\\&|PAS|{hospital}|JOINEDUP|JOINEDUP|{stamp}||ADT^{event}^ADT_A01|{control_id}"
        "|P|2.4|||AL|NE|GBR|UNICODE UTF-8",
        f"EVN|{event}|{stamp}",
        f"PID|1||{nhs_number}^^^NHS^NH~H{nhs_number[-6:]}^^^{hospital}^MR||PATIENT^SYNTHETIC"
        "||19450101|U",
        "|".join(pv1).rstrip("|"),
    ]
    return ("\r".join(segments) + "\r").encode("utf-8")
