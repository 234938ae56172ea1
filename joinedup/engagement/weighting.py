"""Weighting panel survey answers to the population (raking) and the margins of error
that go with them.

The citizens' panel is people who chose to join, so answers lean towards those who join
things (older, less deprived). Raking (iterative proportional fitting) gives each
respondent a weight so that the weighted answers match the population's shares in every
category at once (age, sex, ethnic group, deprivation, and any census margins loaded):
each round scales the weights within one category's values to its population shares, in
turn, until none changes by more than ``tol``. Weights are capped at ``CAP`` times the
mean so that a few people cannot speak for hundreds; answers of "prefer not to say" keep
the weight they have in that category.

The margin of error is approximate: the panel is not a probability sample, so it uses
Kish's effective sample size, n_eff = (Σw)² / Σw², in the usual 95% interval for a share:
±1.96 √(p(1 − p) / n_eff). Unequal weights make n_eff smaller than the number who
answered, and the margin wider, which is the honest cost of weighting.

Example::

    weights, notes = rake({"sex": ["female", "male", "male"]},
                          {"sex": {"female": 0.5, "male": 0.5}})
    # weights ≈ [1.5, 0.75, 0.75]
"""

import math
from dataclasses import dataclass

import numpy as np

CAP = 5.0
UNKNOWN = {"not_said", "unknown", ""}


def rake(
    values: dict[str, list[str]],
    targets: dict[str, dict[str, float]],
    *,
    tol: float = 1e-6,
    max_iter: int = 200,
    cap: float = CAP,
) -> tuple[np.ndarray, list[str]]:
    """Weights (mean 1) for respondents whose ``values[category][i]`` is their value in
    each category, matching ``targets[category][value]`` (population shares). Also
    returns notes on what could not be matched (a group no one in the sample is in)."""
    n = len(next(iter(values.values()))) if values else 0
    weights = np.ones(n)
    notes: list[str] = []
    if n == 0:
        return weights, notes
    margins = []
    for category, shares in targets.items():
        column = np.asarray(values[category], dtype=object)
        known = np.array([v not in UNKNOWN for v in column])
        present = {v for v in column[known]}
        missing = [v for v, s in shares.items() if s > 0 and v not in present]
        if missing:
            notes.append(
                f"{category}: no one answered from {', '.join(sorted(missing))}, so the "
                "weights cannot stand in for them"
            )
        usable = {v: s for v, s in shares.items() if v in present and s > 0}
        total = sum(usable.values())
        if not usable or total <= 0:
            continue
        cells = [(column == v, s / total) for v, s in usable.items()]
        # People whose value has no population share keep their weight, like "not said".
        margins.append((np.logical_or.reduce([members for members, _ in cells]), cells))
    for _ in range(max_iter):
        largest_change = 0.0
        for known, cells in margins:
            known_total = weights[known].sum()
            for members, share in cells:
                current = weights[members].sum()
                if current > 0:
                    factor = share * known_total / current
                    largest_change = max(largest_change, abs(factor - 1))
                    weights[members] *= factor
        weights = _trim(weights, cap)
        if largest_change < tol:
            break
    if weights.max() >= cap - 1e-9:
        notes.append(
            f"some weights were capped at {cap:g} times the average, so the weighted shares "
            "match the population only approximately"
        )
    return weights, notes


def _trim(weights: np.ndarray, cap: float) -> np.ndarray:
    """Mean 1 and none above ``cap`` (capping lowers the mean, so repeat until both)."""
    for _ in range(100):
        weights = weights / weights.mean()
        if weights.max() <= cap + 1e-9:
            break
        weights = np.minimum(weights, cap)
    return weights


@dataclass
class Share:
    label: str
    answers: int
    share: float  # unweighted
    weighted: float
    margin: float  # ± at 95%, on the weighted share


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of a set of weights."""
    total = weights.sum()
    return float(total * total / (weights * weights).sum()) if total > 0 else 0.0


def shares(options: list[str], chosen: list[int], weights: np.ndarray) -> list[Share]:
    """Each option's share of the answers, unweighted and weighted, with the margin of
    error of the weighted share."""
    chosen = np.asarray(chosen, dtype=int)
    n = len(chosen)
    n_eff = effective_size(weights) if n else 0.0
    result = []
    for j, label in enumerate(options):
        picked = chosen == j
        count = int(picked.sum())
        p = float(weights[picked].sum() / weights.sum()) if n else 0.0
        margin = 1.96 * math.sqrt(p * (1 - p) / n_eff) if n_eff > 0 else 0.0
        result.append(Share(label, count, count / n if n else 0.0, p, margin))
    return result
