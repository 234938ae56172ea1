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

The input (``Instance``, ``Feature``, and reading them from CSV files) is in
``sortition_input.py``; its names are importable from here too.
"""

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from .sortition_input import (
    Feature,
    Instance,
    SortitionError,
    read_categories,  # noqa: F401 (re-exported: sortition.read_categories)
    read_respondents,  # noqa: F401 (re-exported: sortition.read_respondents)
)

EPS = 0.0005  # a respondent's dual weight above this means their probability is fixed
EPS_PRICE = 1e-7  # a new panel must beat the dual cap by more than this
MAX_ROUNDS = 5000  # column generation rounds in all (a guard; real instances need far fewer)
SMOOTHING = 0.8  # weight of the best dual so far when pricing (Wentges smoothing)


# --- Panels: the integer programme ---------------------------------------------------------


class Types:
    """Respondents who are interchangeable: the same value in every category and no one
    else at their address. LEXIMIN gives interchangeable people the same probability, so
    it can work with how many of each type a panel has (its *composition*) and choose the
    people within a type at random, which makes the programmes far smaller (the paper's
    two reference instances have 4 types among 200 and 2,000 respondents)."""

    def __init__(self, instance: Instance):
        shared = Counter(h for h in (instance.households or []) if h)
        keys: dict[tuple, int] = {}
        self.of = np.zeros(instance.n, dtype=np.int32)
        self.members: list[list[int]] = []
        for i, values in enumerate(instance.values):
            household = instance.households[i] if instance.households else ""
            key = tuple(values[c] for c in instance.categories)
            if household and shared[household] > 1:
                key = (*key, "#", i)  # shares an address: a type of its own
            if key not in keys:
                keys[key] = len(self.members)
                self.members.append([])
            self.of[i] = keys[key]
            self.members[keys[key]].append(i)
        self.size = np.array([len(m) for m in self.members], dtype=float)
        self.count = len(self.members)


class PanelFinder:
    """The feasible panel compositions as a HiGHS integer programme over types, built
    once; each call changes only the objective."""

    def __init__(self, instance: Instance, types: Types | None = None):
        self.instance = instance
        self.types = types or Types(instance)
        t = self.types.count
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 1e-6)
        h.setOptionValue("threads", 1)
        inf = highspy.kHighsInf
        h.addVars(t, np.zeros(t), self.types.size.copy())
        h.changeColsIntegrality(
            t, np.arange(t, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * t)
        )
        everyone = np.arange(t, dtype=np.int32)
        h.addRow(instance.k, instance.k, t, everyone, np.ones(t))
        for feature in instance.features:
            having = np.array(
                [j for j, m in enumerate(self.types.members)
                 if instance.values[m[0]][feature.category] == feature.value],
                dtype=np.int32,
            )  # fmt: skip
            h.addRow(feature.low, feature.high, len(having), having, np.ones(len(having)))
        households = defaultdict(list)
        for j, members in enumerate(self.types.members):
            household = instance.households[members[0]] if instance.households else ""
            if household and len(members) == 1:
                households[household].append(j)
        for group in households.values():
            if len(group) > 1:
                idx = np.array(group, dtype=np.int32)
                h.addRow(-inf, 1, len(idx), idx, np.ones(len(idx)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h = h
        self.solves = 0

    def best(self, weights: np.ndarray) -> tuple[tuple[int, ...] | None, float]:
        """The feasible composition with the largest total weight (``weights`` per person
        of each type), or None if there is none."""
        t = self.types.count
        self.h.changeColsCost(t, np.arange(t, dtype=np.int32), np.asarray(weights, dtype=float))
        self.h.run()
        self.solves += 1
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, -math.inf
        counts = tuple(int(round(c)) for c in self.h.getSolution().col_value)
        return counts, float(np.dot(counts, weights))


# --- Quotas that cannot be met ---------------------------------------------------------------


def explain_infeasible(instance: Instance) -> str | None:
    """None when some panel meets the quotas; otherwise which quotas conflict and a
    relaxation that would work."""
    finder = PanelFinder(instance)
    panel, _ = finder.best(np.zeros(finder.types.count))
    if panel is not None:
        return None
    lines = []
    k = instance.k
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
    """Panels and their probabilities, and each respondent's resulting probability.

    For LEXIMIN the distribution is over compositions (how many of each type), each with
    the people of a type chosen at random; ``panels`` then holds one example panel per
    composition, and ``draw`` and ``lottery`` pick the people."""

    panels: list[frozenset[int]]
    probabilities: np.ndarray
    marginals: np.ndarray
    seconds: float
    algorithm: str
    notes: dict = field(default_factory=dict)
    compositions: list[tuple[int, ...]] | None = None
    types: Types | None = None


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
    types = finder.types
    t = types.count
    size = types.size
    compositions = _initial_compositions(instance, finder, seed)
    covered = {j for c in compositions for j, x in enumerate(c) if x > 0}
    fixed: dict[int, float] = {j: 0.0 for j in range(t) if j not in covered}
    if fixed:
        left_out = int(sum(size[j] for j in fixed))
        say(f"{left_out} respondents are in no feasible panel: their probability is 0")
    rounds = 0
    stage = 0
    while len(fixed) < t:
        stage += 1
        unfixed = [j for j in range(t) if j not in fixed]
        # No one can do better than an equal share of the seats the fixed leave: each
        # panel has k members, so the unfixed share at most k − Σ (people × probability).
        bound = (instance.k - sum(size[j] * p for j, p in fixed.items())) / size[unfixed].sum()
        dual = _StageDual(size, fixed, compositions)
        while True:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise SortitionError("LEXIMIN did not converge (too many rounds)")
            w, cap, lower = dual.solve()
            if rounds % 50 == 0:
                say(f"stage {stage}: round {rounds}, {len(compositions)} panels, {lower:.5f}")
            if lower >= bound - EPS_PRICE:
                # The panels so far give every unfixed respondent the bound: it is the
                # optimum for all of them, so they are all fixed at it.
                for j in unfixed:
                    fixed[j] = bound
                say(f"stage {stage}: the remaining {int(size[unfixed].sum())} fixed at {bound:.4f}")
                break
            per_person = w / size
            composition, value = finder.best(per_person)
            if composition is None or value <= cap + EPS_PRICE:
                newly = [j for j in unfixed if w[j] > EPS] or unfixed
                for j in newly:
                    fixed[j] = max(0.0, lower)
                say(
                    f"stage {stage}: {int(size[newly].sum())} respondents fixed at {lower:.4f} "
                    f"({int(size[list(fixed)].sum())}/{instance.n}, {len(compositions)} panels)"
                )
                break
            for candidate in (composition, *_diverse(finder, per_person, composition, cap)):
                if candidate not in dual.seen:
                    dual.add(candidate)
                    compositions.append(candidate)
    probabilities = _final_primal(size, fixed, compositions)
    keep = probabilities > 1e-9
    compositions = [c for c, k in zip(compositions, keep, strict=True) if k]
    probabilities = probabilities[keep] / probabilities[keep].sum()
    per_type = np.zeros(t)
    for c, q in zip(compositions, probabilities, strict=True):
        per_type += q * np.asarray(c) / size
    return Distribution(
        panels=[_panel(types, c) for c in compositions],
        probabilities=probabilities,
        marginals=per_type[types.of],
        seconds=time.perf_counter() - started,
        algorithm="leximin",
        notes={
            "rounds": rounds,
            "stages": stage,
            "integer_programmes": finder.solves,
            "types": t,
        },
        compositions=compositions,
        types=types,
    )


def _panel(types: Types, composition: tuple[int, ...], order=None) -> frozenset:
    """The people of a composition: the first ``c`` of each type (in ``order``, a
    shuffled list of each type's members, when given)."""
    chosen = []
    for j, c in enumerate(composition):
        members = order[j] if order is not None else types.members[j]
        chosen.extend(members[:c])
    return frozenset(chosen)


def _initial_compositions(instance: Instance, finder: PanelFinder, seed: int) -> list[tuple]:
    """Panels that between them include every type that can be on one: multiplicative
    weights (favour types not yet included), then one panel for each still left out."""
    t = finder.types.count
    rng = np.random.default_rng(seed)
    weights = np.ones(t) + rng.random(t) * 1e-3
    found: list[tuple] = []
    for _ in range(max(10, min(3 * instance.n // max(1, instance.k), 100))):
        composition, _ = finder.best(weights / finder.types.size)
        if composition is None:
            break
        used = np.asarray(composition) > 0
        weights[used] *= 0.8
        weights *= t / weights.sum()
        if composition not in found:
            found.append(composition)
    covered = {j for c in found for j, x in enumerate(c) if x > 0}
    for j in range(t):
        if j in covered:
            continue
        target = np.zeros(t)
        target[j] = 1.0
        composition, value = finder.best(target)
        if composition is not None and value > 0.5:
            found.append(composition)
            covered |= {i for i, x in enumerate(composition) if x > 0}
    return found


def _diverse(finder: PanelFinder, weights: np.ndarray, composition: tuple, cap: float):
    """Up to three more compositions that also beat the cap, found by lowering the weights
    of the types already in the new one."""
    lowered = weights.copy()
    found = []
    current = composition
    for _ in range(3):
        lowered[np.asarray(current) > 0] *= 0.9
        candidate, _ = finder.best(lowered)
        if candidate is None or float(np.dot(candidate, weights)) <= cap + EPS_PRICE:
            break
        found.append(candidate)
        current = candidate
    return found


class _StageDual:
    """The dual of one stage, over types: minimise ŷ − Σ_fixed p_t·w_t subject to
    Σ_unfixed w_t = 1 and, for every composition c, Σ_t w_t·c_t/n_t ≤ ŷ; w ≥ 0."""

    def __init__(self, size: np.ndarray, fixed: dict[int, float], compositions: list[tuple]):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        t = len(size)
        self.t, self.size = t, size
        h.addVars(t + 1, np.zeros(t + 1), np.full(t + 1, inf))
        h.changeColBounds(t, -inf, inf)
        costs = np.zeros(t + 1)
        for j, p in fixed.items():
            costs[j] = -p
        costs[t] = 1.0
        h.changeColsCost(t + 1, np.arange(t + 1, dtype=np.int32), costs)
        unfixed = np.array([j for j in range(t) if j not in fixed], dtype=np.int32)
        h.addRow(1.0, 1.0, len(unfixed), unfixed, np.ones(len(unfixed)))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h
        self.seen: set[tuple] = set()
        for composition in compositions:
            self.add(composition)

    def add(self, composition: tuple) -> None:
        used = [j for j, c in enumerate(composition) if c]
        idx = np.array(used + [self.t], dtype=np.int32)
        values = np.array([composition[j] / self.size[j] for j in used] + [-1.0])
        self.h.addRow(-highspy.kHighsInf, 0.0, len(idx), idx, values)
        self.seen.add(composition)

    def solve(self) -> tuple[np.ndarray, float, float]:
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            status = self.h.modelStatusToString(self.h.getModelStatus())
            raise SortitionError(f"the LP failed: {status}")
        x = np.asarray(self.h.getSolution().col_value)
        objective = float(self.h.getInfo().objective_function_value)
        return np.maximum(x[: self.t], 0.0), float(x[self.t]), objective


def _final_primal(size: np.ndarray, fixed: dict[int, float], compositions: list[tuple]):
    """Probabilities of the compositions that give each type at least its fixed
    probability (less the smallest possible slack)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    m, t = len(compositions), len(size)
    inf = highspy.kHighsInf
    h.addVars(m + 1, np.zeros(m + 1), np.full(m + 1, inf))
    costs = np.zeros(m + 1)
    costs[m] = 1.0
    h.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), costs)
    h.addRow(1.0, 1.0, m, np.arange(m, dtype=np.int32), np.ones(m))
    matrix = np.array(compositions, dtype=float) / size  # share of each type per panel
    for j in range(t):
        used = np.flatnonzero(matrix[:, j] > 0)
        idx = np.concatenate([used, [m]]).astype(np.int32)
        values = np.concatenate([matrix[used, j], [1.0]])
        h.addRow(fixed.get(j, 0.0), inf, len(idx), idx, values)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    return np.maximum(np.asarray(h.getSolution().col_value)[:m], 0.0)


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
    """One panel, drawn with the distribution's probabilities from a recorded seed (for
    LEXIMIN: a composition, then the people of each type at random)."""
    rng = np.random.default_rng(seed)
    j = int(rng.choice(len(distribution.probabilities), p=distribution.probabilities))
    if distribution.compositions is None:
        return distribution.panels[j]
    order = [[int(i) for i in rng.permutation(m)] for m in distribution.types.members]
    return _panel(distribution.types, distribution.compositions[j], order=order)


def lottery(distribution: Distribution, m: int = 1000, seed: int = 0) -> list[frozenset[int]]:
    """The distribution rounded to ``m`` equally likely panels (some repeated), so that the
    draw can be done in public with a number from 1 to m. Each panel's share stays within
    1/m of its exact probability (largest remainders); for LEXIMIN, the tickets of one
    composition take the people of each type in turn (from a shuffle made with ``seed``),
    so everyone's chance stays close to their LEXIMIN probability."""
    exact = distribution.probabilities * m
    counts = np.floor(exact).astype(int)
    remainder = m - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    tickets: list[frozenset[int]] = []
    if distribution.compositions is None:
        for panel, c in zip(distribution.panels, counts, strict=True):
            tickets.extend([panel] * int(c))
        return tickets
    rng = np.random.default_rng(seed)
    shuffled = [list(rng.permutation(members)) for members in distribution.types.members]
    next_seat = [0] * len(shuffled)  # where each type's turn has got to
    for composition, c in zip(distribution.compositions, counts, strict=True):
        for _ in range(int(c)):
            chosen = []
            for j, seats in enumerate(composition):
                members = shuffled[j]
                chosen.extend(members[(next_seat[j] + r) % len(members)] for r in range(seats))
                next_seat[j] = (next_seat[j] + seats) % len(members)
            tickets.append(frozenset(int(i) for i in chosen))
    return tickets
