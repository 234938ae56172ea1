"""Population SQL, one small function per step, each returning a SQL string.

Written in DuckDB's dialect; SQLGlot transpiles the same strings for Spark. Inputs are
the tables ``events``, ``persons``, ``codes`` (target, kind, role, system, code),
``conditions`` and ``deficits``; ``as_of`` is an ISO date. ``events`` is the store's
coded events, through :func:`merged_events` when records have been merged.
"""

# European Standard Population 2013: weights of the 19 five-year bands (0–4 … 90+).
ESP_2013 = (
    5000,
    5500,
    5500,
    5500,
    6000,
    6000,
    6500,
    7000,
    7000,
    7000,
    7000,
    6500,
    6000,
    5500,
    5000,
    4000,
    2500,
    1500,
    1000,
)

AGE_BANDS = ("0-17", "18-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+")


def _age(birth: str, as_of: str) -> str:
    return (
        f"(year(DATE '{as_of}') - year({birth}) - CASE WHEN month(DATE '{as_of}') * 100 + "
        f"day(DATE '{as_of}') < month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)"
    )


def merged_events() -> str:
    """The coded events, with a merged record's events read as its survivor's (from the
    tables ``stored_events`` and ``merged``)."""
    return """
    SELECT coalesce(m.survivor_id, e.person_id) AS person_id, e.system, e.code, e.date,
           e.value, e.unit
    FROM stored_events e
    LEFT JOIN merged m ON m.person_id = e.person_id
    """


def population(as_of: str) -> str:
    """Registered people alive on ``as_of``, with age, bands and broad ethnic group, and
    the place whose cohort rule applies (``rule_place``: their practice's place when it
    has a rule in ``place_rules``, else '', the system's default)."""
    age = _age("birth_date", as_of)
    return f"""
    SELECT person_id, nhs_number, sex, ethnicity, imd_quintile, lsoa_id, practice_id, practice,
           neighbourhood_id, neighbourhood, lcn, place, coalesce(k.rule_key, '') AS rule_place,
           {age} AS age,
           CASE WHEN {age} < 18 THEN '0-17' WHEN {age} < 30 THEN '18-29'
                WHEN {age} < 40 THEN '30-39' WHEN {age} < 50 THEN '40-49'
                WHEN {age} < 60 THEN '50-59' WHEN {age} < 70 THEN '60-69'
                WHEN {age} < 80 THEN '70-79' ELSE '80+' END AS age_band,
           least({age} // 5, 18) AS esp_band,
           CASE WHEN ethnicity LIKE 'A\\_%' ESCAPE '\\' THEN 'Asian'
                WHEN ethnicity LIKE 'B\\_%' ESCAPE '\\' THEN 'Black'
                WHEN ethnicity LIKE 'M\\_%' ESCAPE '\\' THEN 'Mixed'
                WHEN ethnicity LIKE 'W\\_%' ESCAPE '\\' THEN 'White'
                WHEN ethnicity LIKE 'O\\_%' ESCAPE '\\' THEN 'Other'
                ELSE 'Not stated' END AS ethnicity_group
    FROM persons
    LEFT JOIN (SELECT place AS rule_key FROM place_rules) k ON k.rule_key = persons.place
    WHERE practice_id IS NOT NULL
      AND birth_date <= DATE '{as_of}'
      AND (date_of_death IS NULL OR date_of_death > DATE '{as_of}')
    """


def coded(as_of: str) -> str:
    """Per person and target: latest diagnosis and resolution dates, and events in 12 months."""
    return f"""
    SELECT e.person_id, c.kind, c.target,
           max(CASE WHEN c.role = 'diagnosis' THEN e.date END) AS last_dx,
           max(CASE WHEN c.role = 'resolved' THEN e.date END) AS last_res,
           count(CASE WHEN e.date > DATE '{as_of}' - INTERVAL 1 YEAR THEN 1 END) AS n_12m
    FROM events e
    JOIN codes c ON e.code = c.code AND e.system = c.system
    WHERE e.date <= DATE '{as_of}'
    GROUP BY e.person_id, c.kind, c.target
    """


def registers(as_of: str) -> str:
    """The register rules: latest diagnosis not followed by a resolution (CKD: latest
    stage code is 3–5, stage 1–2 codes act as resolutions), old enough, and cancer only
    when diagnosed within 5 years."""
    return f"""
    SELECT c.person_id, c.target AS condition
    FROM coded c
    JOIN conditions d ON c.kind = 'condition' AND d.key = c.target
    JOIN pop p ON p.person_id = c.person_id
    WHERE c.last_dx IS NOT NULL
      AND (c.last_res IS NULL OR c.last_res < c.last_dx)
      AND p.age >= d.min_age
      AND (d.rule <> 'within_5_years' OR c.last_dx > DATE '{as_of}' - INTERVAL 5 YEAR)
    """


def deficits(as_of: str, polypharmacy_threshold: int) -> str:
    """eFI deficits present: any code ever, plus polypharmacy from medicines in 12 months."""
    return f"""
    SELECT DISTINCT person_id, target AS deficit FROM coded
    WHERE kind = 'deficit' AND last_dx IS NOT NULL
    UNION
    SELECT person_id, 'polypharmacy' AS deficit FROM events
    WHERE system = 'dmd' AND date <= DATE '{as_of}'
      AND date > DATE '{as_of}' - INTERVAL 1 YEAR
    GROUP BY person_id
    HAVING count(DISTINCT code) >= {int(polypharmacy_threshold)}
    """


def profiles(*, efi_min_age: int, n_deficits: int, bands: tuple[tuple[str, float], ...]) -> str:
    """One row per person: conditions, LTC count, CMS, eFI and band, hospital use, and
    whether they are in the cohort by the rule of their place (tables ``place_rules``,
    ``place_bands`` and ``place_conditions``; place '' is the system's default): enough
    long-term conditions of those that count there, and a frailty band it asks for."""
    band_sql = (
        " ".join(f"WHEN efi <= {upper} THEN '{name}'" for name, upper in bands[:-1])
        + f" ELSE '{bands[-1][0]}'"
    )
    return f"""
    WITH per_person AS (
        SELECT p.person_id,
               list_sort(list(r.condition) FILTER (WHERE r.condition IS NOT NULL))
                   AS conditions,
               count(pc.key) AS ltc_count
        FROM pop p
        LEFT JOIN registers r ON r.person_id = p.person_id
        LEFT JOIN place_conditions pc ON pc.place = p.rule_place AND pc.key = r.condition
        GROUP BY p.person_id
    ),
    -- A CMS condition counts once however many registers map to it (diabetes types).
    cms_groups AS (
        SELECT r.person_id, d.cms_group, max(d.cms_weight) AS weight
        FROM registers r JOIN conditions d ON d.key = r.condition
        GROUP BY r.person_id, d.cms_group
    ),
    cms AS (SELECT person_id, sum(weight) AS cms FROM cms_groups GROUP BY person_id),
    frailty AS (
        SELECT person_id, count(*) AS n FROM deficit_flags GROUP BY person_id
    ),
    hospital AS (
        SELECT person_id,
               sum(CASE WHEN target = 'admission' THEN n_12m ELSE 0 END) AS admissions_12m,
               sum(CASE WHEN target = 'ae' THEN n_12m ELSE 0 END) AS ae_12m
        FROM coded WHERE kind = 'encounter' GROUP BY person_id
    ),
    scored AS (
        SELECT p.*, coalesce(pp.conditions, []) AS conditions, pp.ltc_count,
               CAST(round(coalesce(cs.cms, 0), 2) AS DOUBLE) AS cms,
               CASE WHEN p.age >= {int(efi_min_age)}
                    THEN CAST(round(coalesce(f.n, 0) / {int(n_deficits)}.0, 4) AS DOUBLE)
               END AS efi,
               CAST(coalesce(h.admissions_12m, 0) AS INTEGER) AS admissions_12m,
               CAST(coalesce(h.ae_12m, 0) AS INTEGER) AS ae_12m
        FROM pop p
        JOIN per_person pp USING (person_id)
        LEFT JOIN cms cs USING (person_id)
        LEFT JOIN frailty f USING (person_id)
        LEFT JOIN hospital h USING (person_id)
    ),
    banded AS (
        SELECT *, CASE WHEN efi IS NULL THEN '' {band_sql} END AS efi_band FROM scored
    )
    SELECT b.*,
           (b.ltc_count >= r.min_conditions AND (r.any_band OR pb.band IS NOT NULL))
               AS multimorbid
    FROM banded b
    JOIN place_rules r ON r.place = b.rule_place
    LEFT JOIN place_bands pb ON pb.place = b.rule_place AND pb.band = b.efi_band
    ORDER BY b.person_id
    """


DIMENSIONS = (
    "total",
    "imd_quintile",
    "ethnicity_group",
    "age_band",
    "sex",
    "practice",
    "neighbourhood",
    "lcn",
    "imd_quintile x age_band",
)


def aggregates(adults_only_age: int, measures: list[str]) -> str:
    """Prevalence of each measure (each condition, and multimorbidity) per stratum: count,
    denominator, crude rate with its Wilson 95% CI, and the rate directly age-standardised
    to the European Standard Population 2013 with a normal-approximation 95% CI. Adults only.

    Each stratum is one pass over ``results`` summing every measure at once; only the
    small grouped table is unpivoted.
    """
    esp_values = ", ".join(f"({i}, {w})" for i, w in enumerate(ESP_2013))
    strata = {
        "all": "'all'",
        "imd_quintile": "CAST(imd_quintile AS VARCHAR)",
        "ethnicity_group": "ethnicity_group",
        "age_band": "age_band",
        "sex": "sex",
        "practice": "practice",
        "neighbourhood": "neighbourhood",
        "lcn": "lcn",
        "imd_quintile x age_band": "CAST(imd_quintile AS VARCHAR) || ' / ' || age_band",
    }
    sums = ", ".join(
        f"sum(CASE WHEN list_contains(conditions, '{m}') THEN 1 ELSE 0 END) AS \"{m}\""
        for m in measures
    )
    grouped = "\nUNION ALL\n".join(
        f"SELECT '{dim}' AS dimension, coalesce({value}, 'unknown') AS stratum, esp_band, "
        f"count(*) AS pop, {sums}, "
        f"sum(CASE WHEN multimorbid THEN 1 ELSE 0 END) AS multimorbidity "
        f"FROM results WHERE age >= {int(adults_only_age)} GROUP BY 1, 2, 3"
        for dim, value in strata.items()
    )
    columns = ", ".join(f'"{m}"' for m in [*measures, "multimorbidity"])
    return f"""
    WITH esp(esp_band, weight) AS (VALUES {esp_values}),
    grouped AS ({grouped}),
    by_band AS (
        SELECT * FROM grouped UNPIVOT (n FOR measure IN ({columns}))
    ),
    -- Standardised over the age bands present in each stratum (all adult bands for
    -- geographic and social strata; within an age band the rate is its own).
    summary AS (
        SELECT b.dimension, b.stratum, b.measure,
               sum(b.n) AS count, sum(b.pop) AS denominator,
               sum(e.weight * b.n / b.pop) / sum(e.weight) AS asr,
               sum(e.weight * e.weight * b.n / (b.pop * b.pop))
                   / (sum(e.weight) * sum(e.weight)) AS asr_var
        FROM by_band b JOIN esp e USING (esp_band)
        GROUP BY b.dimension, b.stratum, b.measure
    )
    SELECT dimension, stratum, measure, CAST(count AS BIGINT) AS count,
           CAST(denominator AS BIGINT) AS denominator,
           CAST(100.0 * count / denominator AS DOUBLE) AS crude_rate,
           CAST(100.0 * (count / denominator + 1.96 * 1.96 / (2 * denominator)
                - 1.96 * sqrt(count / denominator * (1 - count / denominator) / denominator
                              + 1.96 * 1.96 / (4 * denominator * denominator)))
                / (1 + 1.96 * 1.96 / denominator) AS DOUBLE) AS crude_lower,
           CAST(100.0 * (count / denominator + 1.96 * 1.96 / (2 * denominator)
                + 1.96 * sqrt(count / denominator * (1 - count / denominator) / denominator
                              + 1.96 * 1.96 / (4 * denominator * denominator)))
                / (1 + 1.96 * 1.96 / denominator) AS DOUBLE) AS crude_upper,
           CAST(100.0 * asr AS DOUBLE) AS asr,
           CAST(100.0 * greatest(asr - 1.96 * sqrt(asr_var), 0) AS DOUBLE) AS asr_lower,
           CAST(100.0 * (asr + 1.96 * sqrt(asr_var)) AS DOUBLE) AS asr_upper
    FROM summary
    ORDER BY dimension, stratum, measure
    """
