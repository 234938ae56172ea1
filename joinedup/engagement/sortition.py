"""Choosing a citizens' assembly by lot, fairly: the LEXIMIN algorithm of Flanigan, Gölz,
Gupta, Hennig and Procaccia ("Fair algorithms for selecting citizens' assemblies", Nature
596, 2021), implemented here with the open-source HiGHS solver, and the simple "legacy"
greedy method it improves on, to show the difference.

A *panel* is a set of ``k`` respondents that meets every quota (between ``min`` and ``max``
people with each feature) and has at most one person per household. LEXIMIN finds a
probability distribution over panels that makes the least likely respondent's chance of
being chosen as large as possible, then the next least likely's, and so on:

1. Column generation over panels. The panels found so far are the columns of a linear
   programme. Its dual gives each respondent a weight ``y_i``; an integer programme
   (HiGHS) finds the panel with the largest total weight. If that exceeds the dual's cap
   ``ŷ``, the panel is added and the dual solved again; otherwise the current panels are
   enough for this stage.
2. Fixing stage by stage. At the optimum, respondents with positive dual weight cannot
   do better than the stage's value ``z``: their probability is fixed at ``z``, and the
   next stage raises the minimum among the rest, never lowering what is fixed.
3. A final linear programme finds probabilities of the panels that give everyone their
   fixed probability.

Example::

    instance = Instance.from_files("categories.csv", "respondents.csv", k=50)
    result = leximin(instance)
    summary(result.marginals)     # minimum, gini, geometric mean
    panel = draw(result, seed=7)  # reproducible
"""

import csv
import io
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np

EPS = 0.0005  # a respondent's dual weight above this means their probability is fixed
EPS_PRICE = 1e-7  # a new panel must beat the dual cap by more than this
MAX_ROUNDS = 5000  # column generation rounds in all (a guard; real instances need far fewer)


class SortitionError(ValueError):
    """A file or an instance that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class Feature:
    category: str
    value: str
    low: int
    high: int


@dataclass
class Instance:
    """Respondents, each with one value per category, the quotas and the panel size."""

    k: int
    features: list[Feature]
    ids: list[str]
    values: list[dict[str, str]]  # per respondent: category → value
    households: list[str] = field(default_factory=list)  # per respondent ("" = none)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(f.category for f in self.features))

    def members(self, feature: Feature) -> np.ndarray:
        """Indices of the respondents with a feature."""
        return np.array(
            [i for i, v in enumerate(self.values) if v[feature.category] == feature.value],
            dtype=np.int32,
        )

    @classmethod
    def from_text(
        cls,
        categories_csv: str,
        respondents_csv: str,
        k: int,
        *,
        names=("categories", "respondents"),
    ) -> "Instance":
        features = read_categories(categories_csv, names[0])
        return read_respondents(respondents_csv, features, k, names[1])

    @classmethod
    def from_files(cls, categories: Path | str, respondents: Path | str, k: int) -> "Instance":
        return cls.from_text(
            _read_text(Path(categories)),
            _read_text(Path(respondents)),
            k,
            names=(Path(categories).name, Path(respondents).name),
        )


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SortitionError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise SortitionError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None


def read_categories(text: str, name: str = "categories") -> list[Feature]:
    """``category,feature,min,max`` rows; every problem named with its row."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if header[:4] != ["category", "feature", "min", "max"]:
        raise SortitionError(
            f"{name}: the columns must be category,feature,min,max (found {','.join(header)})"
        )
    features: list[Feature] = []
    seen = set()
    for row_number, row in enumerate(reader, start=2):
        cells = [str(v or "").strip() for v in row.values()][:4]
        category, value, low, high = cells + [""] * (4 - len(cells))
        if not category or not value:
            raise SortitionError(f"{name} row {row_number}: category and feature are needed")
        if not low.isdigit() or not high.isdigit():
            raise SortitionError(
                f"{name} row {row_number}: min and max must be whole numbers ({low!r}, {high!r})"
            )
        if int(low) > int(high):
            raise SortitionError(f"{name} row {row_number}: min {low} is more than max {high}")
        if (category, value) in seen:
            raise SortitionError(f"{name} row {row_number}: {category}={value} is listed twice")
        seen.add((category, value))
        features.append(Feature(category, value, int(low), int(high)))
    if not features:
        raise SortitionError(f"{name}: no categories")
    return features


def read_respondents(
    text: str, features: list[Feature], k: int, name: str = "respondents"
) -> Instance:
    """One column per category, plus optional ``id`` and address columns (``address``,
    ``address_1``, ``address_2``, ``postcode``: respondents with the same address are one
    household, and at most one of a household is chosen)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    categories = list(dict.fromkeys(f.category for f in features))
    missing = [c for c in categories if c.lower() not in columns]
    if missing:
        raise SortitionError(f"{name}: no column for {', '.join(missing)}")
    allowed = defaultdict(set)
    for f in features:
        allowed[f.category].add(f.value)
    address_columns = [
        columns[c] for c in ("address", "address_1", "address_2", "postcode") if c in columns
    ]
    id_column = columns.get("id")
    ids, values, households = [], [], []
    seen_ids: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        person = {}
        for category in categories:
            value = str(row.get(columns[category.lower()]) or "").strip()
            if value not in allowed[category]:
                raise SortitionError(
                    f"{name} row {row_number}: {category} {value!r} is not one of "
                    f"{', '.join(sorted(allowed[category]))}"
                )
            person[category] = value
        respondent = str(row.get(id_column) or "").strip() if id_column else str(row_number - 1)
        if not respondent:
            raise SortitionError(f"{name} row {row_number}: no id")
        if respondent in seen_ids:
            raise SortitionError(
                f"{name} row {row_number}: id {respondent} is also on row {seen_ids[respondent]}"
            )
        seen_ids[respondent] = row_number
        ids.append(respondent)
        values.append(person)
        address = " ".join(str(row.get(c) or "").strip().lower() for c in address_columns)
        households.append(" ".join(address.split()))
    if k < 1:
        raise SortitionError(f"the panel size must be 1 or more (got {k})")
    if k > len(ids):
        raise SortitionError(
            f"a panel of {k} needs at least {k} respondents (there are {len(ids)})"
        )
    return Instance(k=k, features=features, ids=ids, values=values, households=households)


# --- Panels: the integer programme ---------------------------------------------------------


class PanelFinder:
    """The feasible panels as a HiGHS integer programme, built once; each call changes
    only the objective."""

    def __init__(self, instance: Instance):
        self.instance = instance
        n = instance.n
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 1e-6)
        h.setOptionValue("threads", 1)
        inf = highspy.kHighsInf
        h.addVars(n, np.zeros(n), np.ones(n))
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
        )
        everyone = np.arange(n, dtype=np.int32)
        h.addRow(instance.k, instance.k, n, everyone, np.ones(n))
        for feature in instance.features:
            members = instance.members(feature)
            h.addRow(feature.low, feature.high, len(members), members, np.ones(len(members)))
        households = defaultdict(list)
        for i, household in enumerate(instance.households or []):
            if household:
                households[household].append(i)
        for members in households.values():
            if len(members) > 1:
                idx = np.array(members, dtype=np.int32)
                h.addRow(-inf, 1, len(idx), idx, np.ones(len(idx)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h = h
        self.solves = 0

    def best(self, weights: np.ndarray) -> tuple[frozenset[int] | None, float]:
        """The feasible panel with the largest total weight (None if there is none)."""
        n = self.instance.n
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(weights, dtype=float))
        self.h.run()
        self.solves += 1
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, -math.inf
        x = np.asarray(self.h.getSolution().col_value)
        panel = frozenset(np.flatnonzero(x > 0.5).tolist())
        return panel, float(np.asarray(weights)[list(panel)].sum())


# --- Quotas that cannot be met ---------------------------------------------------------------


def explain_infeasible(instance: Instance) -> str | None:
    """None when some panel meets the quotas; otherwise which quotas conflict and a
    relaxation that would work."""
    finder = PanelFinder(instance)
    panel, _ = finder.best(np.zeros(instance.n))
    if panel is not None:
        return None
    lines = []
    k = instance.k
    counts = Counter((f.category, f.value) for f in instance.features)
    for category in instance.categories:
        features = [f for f in instance.features if f.category == category]
        low = sum(f.low for f in features)
        high = sum(min(f.high, len(instance.members(f))) for f in features)
        if low > k:
            lines.append(f"the minimums for {category} add up to {low}, more than the panel of {k}")
        if high < k:
            lines.append(
                f"the maximums for {category} (capped by who responded) add up to {high}, "
                f"less than the panel of {k}"
            )
        for f in features:
            available = len(instance.members(f))
            if available < f.low:
                lines.append(
                    f"{category}={f.value} needs at least {f.low} but only {available} responded"
                )
    del counts
    relaxed = relax(instance)
    if relaxed:
        lines.append(
            "this relaxation works: "
            + "; ".join(f"{f.category}={f.value} {f.low}–{f.high}" for f in relaxed)
        )
    return "The quotas cannot all be met: " + ("; ".join(lines) or "they conflict together")


def relax(instance: Instance) -> list[Feature]:
    """The quotas changed as little as possible (fewest people added to maximums or taken
    from minimums, in total) so that a panel exists; [] if even that fails."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n, m = instance.n, len(instance.features)
    inf = highspy.kHighsInf
    # x (n, binary), then per feature: extra_low (how much the minimum drops), extra_high.
    h.addVars(n + 2 * m, np.zeros(n + 2 * m), np.concatenate([np.ones(n), np.full(2 * m, inf)]))
    h.changeColsIntegrality(
        n + 2 * m,
        np.arange(n + 2 * m, dtype=np.int32),
        np.array([highspy.HighsVarType.kInteger] * (n + 2 * m)),
    )
    h.changeColsCost(2 * m, np.arange(n, n + 2 * m, dtype=np.int32), np.ones(2 * m))
    h.addRow(instance.k, instance.k, n, np.arange(n, dtype=np.int32), np.ones(n))
    for j, feature in enumerate(instance.features):
        members = instance.members(feature)
        idx = np.concatenate([members, [n + j]]).astype(np.int32)
        h.addRow(feature.low, inf, len(idx), idx, np.concatenate([np.ones(len(members)), [1]]))
        idx = np.concatenate([members, [n + m + j]]).astype(np.int32)
        h.addRow(-inf, feature.high, len(idx), idx, np.concatenate([np.ones(len(members)), [-1]]))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    x = np.round(np.asarray(h.getSolution().col_value)).astype(int)
    return [
        Feature(f.category, f.value, f.low - int(x[n + j]), f.high + int(x[n + m + j]))
        for j, f in enumerate(instance.features)
    ]


# --- LEXIMIN ----------------------------------------------------------------------------------


@dataclass
class Distribution:
    """Panels and their probabilities, and each respondent's resulting probability."""

    panels: list[frozenset[int]]
    probabilities: np.ndarray
    marginals: np.ndarray
    seconds: float
    algorithm: str
    notes: dict = field(default_factory=dict)


def leximin(
    instance: Instance, *, say: Callable[[str], None] | None = None, seed: int = 0
) -> Distribution:
    """The LEXIMIN distribution over feasible panels."""
    started = time.perf_counter()
    say = say or (lambda message: None)
    why = explain_infeasible(instance)
    if why:
        raise SortitionError(why)
    finder = PanelFinder(instance)
    n = instance.n
    panels = _initial_panels(instance, finder, seed)
    covered = set().union(*panels)
    fixed: dict[int, float] = {i: 0.0 for i in range(n) if i not in covered}
    if fixed:
        say(f"{len(fixed)} respondents are in no feasible panel: their probability is 0")
    rounds = 0
    stage = 0
    while len(fixed) < n:
        stage += 1
        dual = _StageDual(n, fixed, panels)
        while True:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise SortitionError("LEXIMIN did not converge (too many rounds)")
            y, cap, objective = dual.solve()
            panel, value = finder.best(y)
            if panel is None or value <= cap + EPS_PRICE:
                newly = [i for i in range(n) if i not in fixed and y[i] > EPS]
                if not newly:  # numerical corner: fix the smallest dual weights' agents
                    newly = [i for i in range(n) if i not in fixed]
                for i in newly:
                    fixed[i] = max(0.0, objective)
                say(
                    f"stage {stage}: {len(newly)} respondents fixed at {objective:.4f} "
                    f"({len(fixed)}/{n}, {len(panels)} panels)"
                )
                break
            if panel not in dual.panel_set:
                dual.add(panel)
                panels.append(panel)
            # Also offer a few more panels nearby: fewer, cheaper rounds of the LP.
            for extra in _diverse(finder, y, panel, cap):
                if extra not in dual.panel_set:
                    dual.add(extra)
                    panels.append(extra)
    probabilities = _final_primal(n, fixed, panels)
    keep = probabilities > 1e-9
    panels = [p for p, k in zip(panels, keep, strict=True) if k]
    probabilities = probabilities[keep]
    probabilities = probabilities / probabilities.sum()
    marginals = _marginals(n, panels, probabilities)
    return Distribution(
        panels,
        probabilities,
        marginals,
        time.perf_counter() - started,
        "leximin",
        {"rounds": rounds, "stages": stage, "integer_programmes": finder.solves},
    )


def _initial_panels(instance: Instance, finder: PanelFinder, seed: int) -> list[frozenset[int]]:
    """Panels that between them include everyone who can be on one: multiplicative
    weights (favour those not yet included), then one panel for each still left out."""
    n = instance.n
    rng = np.random.default_rng(seed)
    weights = np.ones(n) + rng.random(n) * 1e-3
    panels: list[frozenset[int]] = []
    seen: set[frozenset[int]] = set()
    for _ in range(max(10, min(3 * n // max(1, instance.k), 200))):
        panel, _ = finder.best(weights)
        if panel is None:
            break
        weights[list(panel)] *= 0.8
        weights *= n / weights.sum()
        if panel not in seen:
            seen.add(panel)
            panels.append(panel)
    covered = set().union(*panels) if panels else set()
    for i in range(n):
        if i in covered:
            continue
        target = np.zeros(n)
        target[i] = 1.0
        panel, value = finder.best(target)
        if panel is not None and value > 0.5:
            panels.append(panel)
            covered |= panel
    return panels


def _diverse(finder: PanelFinder, y: np.ndarray, panel: frozenset[int], cap: float):
    """Up to three more panels that also beat the cap, found by lowering the weights of
    those already in the new panel."""
    weights = y.copy()
    found = []
    current = panel
    for _ in range(3):
        weights[list(current)] *= 0.9
        candidate, _ = finder.best(weights)
        if candidate is None or float(y[list(candidate)].sum()) <= cap + EPS_PRICE:
            break
        found.append(candidate)
        current = candidate
    return found


class _StageDual:
    """The dual of one stage: minimise ŷ − Σ_fixed p_i·y_i subject to Σ_unfixed y_i = 1
    and, for every panel, Σ_{i∈panel} y_i ≤ ŷ; y ≥ 0."""

    def __init__(self, n: int, fixed: dict[int, float], panels: list[frozenset[int]]):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        self.n = n
        # columns 0..n-1: y_i ≥ 0; column n: ŷ (free).
        h.addVars(n + 1, np.zeros(n + 1), np.full(n + 1, inf))
        h.changeColBounds(n, -inf, inf)
        costs = np.zeros(n + 1)
        for i, p in fixed.items():
            costs[i] = -p
        costs[n] = 1.0
        h.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), costs)
        unfixed = np.array([i for i in range(n) if i not in fixed], dtype=np.int32)
        h.addRow(1.0, 1.0, len(unfixed), unfixed, np.ones(len(unfixed)))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h
        self.panel_set: set[frozenset[int]] = set()
        for panel in panels:
            self.add(panel)

    def add(self, panel: frozenset[int]) -> None:
        idx = np.array(sorted(panel) + [self.n], dtype=np.int32)
        values = np.concatenate([np.ones(len(panel)), [-1.0]])
        self.h.addRow(-highspy.kHighsInf, 0.0, len(idx), idx, values)
        self.panel_set.add(panel)

    def solve(self) -> tuple[np.ndarray, float, float]:
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SortitionError(
                f"the LP failed: {self.h.modelStatusToString(self.h.getModelStatus())}"
            )
        x = np.asarray(self.h.getSolution().col_value)
        return (
            np.maximum(x[: self.n], 0.0),
            float(x[self.n]),
            float(self.h.getInfo().objective_function_value),
        )


def _final_primal(n: int, fixed: dict[int, float], panels: list[frozenset[int]]) -> np.ndarray:
    """Probabilities of the panels that give each respondent at least their fixed
    probability (less the smallest possible slack)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    m = len(panels)
    inf = highspy.kHighsInf
    # columns: p_P (m), then slack ε.
    h.addVars(m + 1, np.zeros(m + 1), np.full(m + 1, inf))
    costs = np.zeros(m + 1)
    costs[m] = 1.0
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), costs)
    h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
    containing = defaultdict(list)
    for j, panel in enumerate(panels):
        for i in panel:
            containing[i].append(j)
    for i in range(n):
        idx = np.array(containing[i] + [m], dtype=np.int32)
        values = np.concatenate([np.ones(len(containing[i])), [1.0]])
        h.addRow(fixed.get(i, 0.0), inf, len(idx), idx, values)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    x = np.asarray(h.getSolution().col_value)[:m]
    return np.maximum(x, 0.0)


def _marginals(n: int, panels: list[frozenset[int]], probabilities: np.ndarray) -> np.ndarray:
    out = np.zeros(n)
    for panel, p in zip(panels, probabilities, strict=True):
        out[list(panel)] += p
    return out


# --- Legacy ------------------------------------------------------------------------------------


def legacy_panel(instance: Instance, rng: np.random.Generator, attempts: int = 100):
    """The Sortition Foundation's original greedy method: fill the quota that is hardest to
    meet (most needed for the fewest left) with a random person who has it, drop whoever
    can no longer fit, and start again on a dead end."""
    members = [set(instance.members(f).tolist()) for f in instance.features]
    by_person = defaultdict(list)
    for j, group in enumerate(members):
        for i in group:
            by_person[i].append(j)
    for _ in range(attempts):
        chosen: list[int] = []
        count = [0] * len(instance.features)
        pool = set(range(instance.n))
        households = {}
        failed = False
        while len(chosen) < instance.k:
            best, best_ratio = None, -1.0
            for j, f in enumerate(instance.features):
                left = len(members[j] & pool)
                need = f.low - count[j]
                if need > 0:
                    if left == 0:
                        failed = True
                        break
                    ratio = need / left
                    if ratio > best_ratio:
                        best, best_ratio = j, ratio
            if failed:
                break
            candidates = list(pool) if best is None else list(members[best] & pool)
            if not candidates:
                failed = True
                break
            person = int(rng.choice(candidates))
            chosen.append(person)
            pool.discard(person)
            for j in by_person[person]:
                count[j] += 1
                if count[j] >= instance.features[j].high:
                    pool -= members[j]
            household = instance.households[person] if instance.households else ""
            if household:
                households[household] = person
                pool -= {i for i in pool if instance.households[i] == household}
        if not failed and len(chosen) == instance.k:
            return frozenset(chosen)
    raise SortitionError("the legacy method found no panel in 100 attempts")


def legacy(instance: Instance, *, runs: int = 1000, seed: int = 0) -> Distribution:
    """Legacy selection probabilities, estimated from ``runs`` independent draws."""
    started = time.perf_counter()
    why = explain_infeasible(instance)
    if why:
        raise SortitionError(why)
    rng = np.random.default_rng(seed)
    counts = Counter()
    for _ in range(runs):
        counts[legacy_panel(instance, rng)] += 1
    panels = list(counts)
    probabilities = np.array([counts[p] / runs for p in panels])
    return Distribution(
        panels,
        probabilities,
        _marginals(instance.n, panels, probabilities),
        time.perf_counter() - started,
        "legacy",
        {"runs": runs},
    )


# --- What the distribution means -------------------------------------------------------------


def summary(marginals: np.ndarray) -> dict:
    """Minimum probability, Gini coefficient and geometric mean of the probabilities."""
    p = np.sort(np.asarray(marginals, dtype=float))
    n = len(p)
    mean = p.mean()
    gini = float((2 * np.arange(1, n + 1) - n - 1).dot(p) / (n * n * mean)) if mean > 0 else 0.0
    positive = p[p > 0]
    geometric = float(np.exp(np.log(positive).mean())) if len(positive) == n else 0.0
    return {"minimum": float(p[0]), "gini": max(0.0, gini), "geometric_mean": geometric}


def draw(distribution: Distribution, seed: int) -> frozenset[int]:
    """One panel, drawn with the distribution's probabilities from a recorded seed."""
    rng = np.random.default_rng(seed)
    j = int(rng.choice(len(distribution.panels), p=distribution.probabilities))
    return distribution.panels[j]


def lottery(distribution: Distribution, m: int = 1000) -> list[frozenset[int]]:
    """The distribution rounded to ``m`` equally likely panels (some repeated), so that the
    draw can be done in public with a number from 1 to m. Rounding keeps each panel's share
    within 1/m of the exact probability (largest remainders)."""
    exact = distribution.probabilities * m
    counts = np.floor(exact).astype(int)
    remainder = m - counts.sum()
    order = np.argsort(-(exact - counts))
    counts[order[:remainder]] += 1
    tickets: list[frozenset[int]] = []
    for panel, c in zip(distribution.panels, counts, strict=True):
        tickets.extend([panel] * int(c))
    return tickets
