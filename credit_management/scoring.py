"""Customer credit scoring: vectorised over customers, independent of Odoo.

Each factor maps its raw value to a 0-100 sub-score by piecewise-linear interpolation over
configured breakpoints; the score is the weighted mean of the known sub-scores. Unknown values
(NaN) are left out and the remaining weights renormalised, so a customer is never penalised for
missing data.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NoReturn

import numpy as np

FACTORS: tuple[str, ...] = (
    "on_time_ratio",
    "avg_dbt",
    "late_share",
    "late_trend",
    "days_overdue",
    "overdue_ratio",
    "max_days_overdue",
    "utilisation",
    "tenure_months",
    "volume_12m",
    "refund_ratio",
    "broken_promises",
    "external_score",
)

FACTOR_LABELS: dict[str, str] = {
    "on_time_ratio": "On-time ratio",
    "avg_dbt": "Avg days beyond terms",
    "late_share": "Late invoice share",
    "late_trend": "Late share trend",
    "days_overdue": "Days overdue (amount-weighted)",
    "overdue_ratio": "Overdue ratio",
    "max_days_overdue": "Max days overdue",
    "utilisation": "Credit utilisation",
    "tenure_months": "Tenure (months)",
    "volume_12m": "Volume (12 months)",
    "refund_ratio": "Refund ratio",
    "broken_promises": "Broken promises to pay",
    "external_score": "External score",
}

HIGHER_IS_BETTER: dict[str, bool] = {
    "on_time_ratio": True,
    "avg_dbt": False,
    "late_share": False,
    "late_trend": False,
    "days_overdue": False,
    "overdue_ratio": False,
    "max_days_overdue": False,
    "utilisation": False,
    "tenure_months": True,
    "volume_12m": True,
    "refund_ratio": False,
    "broken_promises": False,
    "external_score": True,
}

# Volumes span orders of magnitude; linear interpolation would crowd every small customer
# into the first segment.
LOG_SCALE: frozenset[str] = frozenset({"volume_12m"})

POINTS_EXAMPLE = "0:0; 0.5:30; 1:100"


class ScoringError(ValueError):
    """Bad scoring configuration.

    `factor` names the offending factor (None when the problem is not one factor's); `field` is
    'factor', 'weight', 'points' or 'min_score'.
    """

    def __init__(self, message: str, factor: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.factor = factor
        self.field = field


@dataclass(frozen=True)
class Factor:
    """One scoring factor: its weight and its (x, sub_score) breakpoints."""

    name: str
    weight: float
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, eq=False)  # eq on ndarray fields is ambiguous
class Result:
    """Scores of N customers; the (N, F) arrays follow the column order of `factors`."""

    factors: tuple[str, ...]
    score: np.ndarray
    subscores: np.ndarray
    weights: np.ndarray
    contributions: np.ndarray


def _fmt(value: float) -> str:
    """Shortest text that reads back as the same float; integers without a decimal point."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _parse_number(text: str, pair: str, factor: str | None) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ScoringError(
            f"'{text}' in '{pair}' is not a number; expected pairs x:score such as '{POINTS_EXAMPLE}'",
            factor=factor,
            field="points",
        )
    return value


def parse_points(text: str, factor: str | None = None) -> tuple[tuple[float, float], ...]:
    """Parse "x:score; x:score; ..." (pairs separated by ';' or ',') into breakpoints."""
    # Empty pieces come from a trailing separator, which is harmless.
    pairs = [pair.strip() for pair in re.split(r"[;,]", text or "") if pair.strip()]
    if not pairs:
        raise ScoringError(
            f"no points given; expected pairs x:score such as '{POINTS_EXAMPLE}'",
            factor=factor,
            field="points",
        )
    points = []
    for pair in pairs:
        parts = pair.split(":")
        if len(parts) != 2:
            raise ScoringError(
                f"'{pair}' is not a pair x:score; expected pairs such as '{POINTS_EXAMPLE}'",
                factor=factor,
                field="points",
            )
        points.append(tuple(_parse_number(part.strip(), pair, factor) for part in parts))
    return tuple(points)


def format_points(points: Iterable[Sequence[float]]) -> str:
    """Inverse of parse_points."""
    return "; ".join(f"{_fmt(x)}:{_fmt(sub)}" for x, sub in points)


DEFAULT_FACTORS: tuple[Factor, ...] = tuple(
    Factor(name, weight, parse_points(points, name))
    for name, weight, points in (
        ("on_time_ratio", 25.0, "0:0; 0.5:30; 0.8:70; 0.95:90; 1:100"),
        ("avg_dbt", 15.0, "0:100; 5:85; 15:60; 30:35; 60:10; 90:0"),
        ("late_share", 45.0, "0:100; 0.1:85; 0.25:60; 0.5:30; 1:0"),
        ("late_trend", 0.0, "-0.5:100; 0:70; 0.25:40; 0.5:10; 1:0"),
        ("days_overdue", 0.0, "0:100; 5:85; 15:60; 30:35; 60:10; 90:0"),
        ("overdue_ratio", 5.0, "0:100; 0.1:80; 0.3:50; 0.6:20; 1:0"),
        ("max_days_overdue", 10.0, "0:100; 15:80; 30:60; 60:30; 90:10; 120:0"),
        ("utilisation", 5.0, "0:100; 0.5:90; 0.8:70; 1:40; 1.5:0"),
        ("tenure_months", 5.0, "0:30; 6:50; 12:70; 24:90; 36:100"),
        ("volume_12m", 5.0, "0:20; 1000:40; 10000:60; 100000:80; 1000000:100"),
        ("refund_ratio", 5.0, "0:100; 0.05:80; 0.15:50; 0.3:20; 0.5:0"),
        ("broken_promises", 0.0, "0:100; 1:50; 2:20; 3:0"),
        ("external_score", 10.0, "0:0; 100:100"),
    )
)


def _validate_weight(factor: Factor) -> None:
    try:
        weight = float(factor.weight)
    except (TypeError, ValueError):
        weight = math.nan
    if not (math.isfinite(weight) and weight >= 0):
        raise ScoringError(
            f"weight must be a finite number >= 0, got {factor.weight!r}", factor=factor.name, field="weight"
        )


def _validate_points(factor: Factor) -> None:
    name = factor.name

    def fail(message: str) -> NoReturn:
        raise ScoringError(message, factor=name, field="points")

    points = factor.points
    if len(points) < 2:
        fail(f"at least 2 points are needed, got {len(points)}")
    if any(len(point) != 2 or not all(math.isfinite(v) for v in point) for point in points):
        fail("every point must be a pair of finite numbers x:score")
    xs = [x for x, _ in points]
    subs = [sub for _, sub in points]
    for left, right in pairwise(xs):
        if right <= left:
            fail(f"x values must be strictly increasing, but {_fmt(right)} follows {_fmt(left)}")
    for sub in subs:
        if not 0 <= sub <= 100:
            fail(f"sub-score {_fmt(sub)} is outside 0-100")
    higher_is_better = HIGHER_IS_BETTER[name]
    for left, right in pairwise(subs):
        if (right < left) if higher_is_better else (right > left):
            direction = "decrease (higher is better)" if higher_is_better else "increase (higher is worse)"
            fail(f"sub-scores must not {direction} as x grows, but {_fmt(right)} follows {_fmt(left)}")
    if name in LOG_SCALE and xs[0] < 0:
        fail(f"x values must be >= 0 (the factor is interpolated on a log scale), got {_fmt(xs[0])}")


def validate(factors: Iterable[Factor]) -> None:
    """Raise ScoringError for the first problem found in the factor configuration."""
    factors = tuple(factors)
    seen = set()
    for factor in factors:
        if factor.name not in HIGHER_IS_BETTER:
            raise ScoringError(f"unknown factor '{factor.name}'", factor=factor.name, field="factor")
        if factor.name in seen:
            raise ScoringError(
                f"factor '{factor.name}' is configured twice", factor=factor.name, field="factor"
            )
        seen.add(factor.name)
        _validate_weight(factor)
        _validate_points(factor)
    if not any(factor.weight > 0 for factor in factors):
        raise ScoringError("at least one factor needs a weight above 0", field="weight")


def _as_matrix(values, names: tuple[str, ...]) -> np.ndarray:
    """Bring mapping or 2-D input to an (N, F) float64 matrix whose columns follow `names`."""
    if not isinstance(values, Mapping):
        matrix = np.array(values, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(names):
            raise ValueError(f"expected a 2-D array with {len(names)} columns, got shape {matrix.shape}")
        return matrix
    unknown = sorted(set(values) - set(FACTORS))
    if unknown:
        # A misspelt name would otherwise silently count as unknown data.
        raise ValueError(f"unknown factors in values: {', '.join(map(str, unknown))}")
    columns = {name: np.asarray(values[name], dtype=np.float64) for name in values}
    lengths = {column.shape for column in columns.values()}
    if len(lengths) > 1 or any(len(shape) != 1 for shape in lengths):
        raise ValueError(f"values must be 1-D arrays of one length, got shapes {sorted(lengths)}")
    rows = lengths.pop()[0] if lengths else 0
    matrix = np.full((rows, len(names)), np.nan)
    for j, name in enumerate(names):
        if name in columns:
            matrix[:, j] = columns[name]
    return matrix


def _subscores(matrix: np.ndarray, factors: tuple[Factor, ...]) -> np.ndarray:
    subscores = np.empty_like(matrix)
    for j, factor in enumerate(factors):
        xs = np.array([x for x, _ in factor.points], dtype=np.float64)
        subs = np.array([sub for _, sub in factor.points], dtype=np.float64)
        column = matrix[:, j]
        if factor.name in LOG_SCALE:
            # Clamping keeps negative values on the flat left end instead of log10 of <= 0;
            # np.maximum keeps NaN.
            column = np.log10(1.0 + np.maximum(column, 0.0))
            xs = np.log10(1.0 + xs)
        subscores[:, j] = np.interp(column, xs, subs)  # NaN in, NaN out
    return subscores


def compute(values, factors: Iterable[Factor] = DEFAULT_FACTORS) -> Result:
    """Score every row of `values` (mapping name -> (N,) array, or (N, F) array)."""
    factors = tuple(factors)
    validate(factors)
    names = tuple(factor.name for factor in factors)
    matrix = _as_matrix(values, names)
    known = ~np.isnan(matrix)
    subscores = _subscores(matrix, factors)

    raw = np.array([factor.weight for factor in factors], dtype=np.float64)
    # Scaling by the largest weight first keeps the row sums finite however large the weights are.
    row_weights = np.where(known, raw / raw.max(), 0.0)
    totals = row_weights.sum(axis=1, keepdims=True)
    scored = totals[:, 0] > 0
    weights = np.divide(row_weights, totals, out=np.zeros_like(row_weights), where=totals > 0)
    contributions = weights * np.where(known, subscores, 0.0)
    # Rounding in the weighted mean can overshoot the bounds by an ulp.
    score = np.where(scored, np.clip(contributions.sum(axis=1), 0.0, 100.0), np.nan)
    return Result(names, score, subscores, weights, contributions)


def validate_bands(min_scores: Iterable[float]) -> None:
    """Check that grade bands, given by their lower bounds, tile 0-100."""
    bounds = [float(value) for value in min_scores]
    if not bounds:
        raise ScoringError("no grade bands are defined", field="min_score")
    for bound in bounds:
        if not (math.isfinite(bound) and 0 <= bound < 100):
            raise ScoringError(f"min score {_fmt(bound)} is outside 0-100", field="min_score")
    seen = set()
    for bound in bounds:
        if bound in seen:
            raise ScoringError(f"two bands start at {_fmt(bound)}", field="min_score")
        seen.add(bound)
    lowest = min(bounds)
    if lowest != 0:
        raise ScoringError(
            f"no band starts at 0 (scores below {_fmt(lowest)} have no grade)", field="min_score"
        )


def band_index(scores, min_scores: Sequence[float]) -> np.ndarray:
    """Index into `min_scores` of the band holding each score; -1 for NaN or below every band."""
    scores = np.asarray(scores, dtype=np.float64)
    bounds = np.asarray(min_scores, dtype=np.float64)
    if not bounds.size:
        return np.full(scores.shape, -1)
    order = np.argsort(bounds, kind="stable")
    # side="right": a score exactly on a bound belongs to the band starting there.
    position = np.searchsorted(bounds[order], scores, side="right") - 1
    inside = (position >= 0) & ~np.isnan(scores)
    return np.where(inside, order[np.clip(position, 0, None)], -1)
