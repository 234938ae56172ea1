"""A plain-Python statement of the population rules, written independently of the SQL,
so that the engines can be checked against it on small random populations."""

from datetime import date, timedelta


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def reference_profiles(persons, events, config, codelists, as_of: date) -> dict[int, dict]:
    """persons: dicts with person_id, birth_date, date_of_death, practice_id;
    events: (person_id, system, code, date). Returns person_id → results."""
    by_person: dict[int, list] = {}
    for person_id, system, code, day in events:
        if day <= as_of:
            by_person.setdefault(person_id, []).append((system, code, day))
    results = {}
    for p in persons:
        if p["practice_id"] is None or p["birth_date"] > as_of:
            continue
        if p["date_of_death"] is not None and p["date_of_death"] <= as_of:
            continue
        age = age_on(p["birth_date"], as_of)
        mine = by_person.get(p["person_id"], [])
        conditions = []
        for c in config.conditions:
            dx_codes = {x for s in c.diagnosis for x in codelists[s]}
            res_codes = {x for s in c.resolved for x in codelists[s]}
            last_dx = max((d for s, x, d in mine if s == "snomed" and x in dx_codes), default=None)
            last_res = max(
                (d for s, x, d in mine if s == "snomed" and x in res_codes), default=None
            )
            if last_dx is None or (last_res is not None and last_res >= last_dx):
                continue
            if age < c.min_age:
                continue
            if c.rule == "within_5_years":
                five_years_ago = (
                    as_of.replace(year=as_of.year - 5)
                    if not (as_of.month == 2 and as_of.day == 29)
                    else as_of - timedelta(days=5 * 365)
                )
                if last_dx <= five_years_ago:
                    continue
            conditions.append(c.key)
        counted = [
            k
            for k in conditions
            if next(c for c in config.conditions if c.key == k).counts_towards_multimorbidity
        ]
        deficits = set()
        for d in config.efi_deficits:
            codes = {x for s in d.codelists for x in codelists[s]}
            if any(s == "snomed" and x in codes for s, x, _ in mine):
                deficits.add(d.key)
        year_ago = (
            as_of.replace(year=as_of.year - 1)
            if not (as_of.month == 2 and as_of.day == 29)
            else as_of - timedelta(days=365)
        )
        medicines = {x for s, x, day in mine if s == "dmd" and day > year_ago}
        if len(medicines) >= config.polypharmacy_threshold:
            deficits.add("polypharmacy")
        efi = (
            round(len(deficits) / len(config.efi_deficits), 4)
            if age >= config.efi_min_age
            else None
        )
        band = ""
        if efi is not None:
            band = next(name for name, upper in config.efi_bands if efi <= upper)
        groups = {}
        for c in config.conditions:
            if c.key in conditions:
                groups[c.cms_group] = max(groups.get(c.cms_group, 0), c.cms_weight)
        results[p["person_id"]] = {
            "conditions": sorted(conditions),
            "ltc_count": len(counted),
            "multimorbid": len(counted) >= config.multimorbidity_threshold,
            "cms": round(sum(groups.values()), 2),
            "efi": efi,
            "efi_band": band,
            "age": age,
        }
    return results
