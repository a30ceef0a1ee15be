"""Backtest metrics and scorecard fitting: numpy and scikit-learn, independent of Odoo.

A sample is one invoice issued after a cutoff: its customer's factor values as they were known at the
cutoff (NaN where unknown) and whether the invoice was paid late. Scores are 0-100, higher is better;
"late" is the event a score should rank last.

The learned scorecard is the industry's standard one: each factor cut into bins whose late rate moves
one way only (isotonic regression pools the bins that break the trend), each bin's weight of evidence,
a logistic regression on the weights of evidence, and each factor's points scaled to the 0-100 sub-score
and the relative weight of ``scoring.Factor``, so that the product scores with it unchanged.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from . import scoring


def _sklearn():
    """scikit-learn, loaded on first use: imported with the addon it would cost every Odoo worker about
    100 MB and a second at start, for what only learning and backtesting need."""
    import sklearn.isotonic
    import sklearn.linear_model
    import sklearn.metrics

    return sklearn


MIN_SAMPLES = 200
MIN_LATE = 10
# A flat line for a factor the fit leaves out: weight 0, so it does not count.
FLAT_POINTS = ((0.0, 50.0), (1.0, 50.0))


class FitError(ValueError):
    """Too little data to learn from; the message says what is missing."""


@dataclass(frozen=True)
class Metrics:
    count: int
    late: int
    auc: float
    gini: float
    ks: float
    brier: float

    @property
    def late_rate(self) -> float:
        return self.late / self.count if self.count else float("nan")


@dataclass(frozen=True)
class Bin:
    upper: float  # the bin holds values up to this (inclusive); +inf for the last
    value: float  # the median value in the bin: where its sub-score sits on the factor line
    count: int
    late: int
    woe: float


@dataclass(frozen=True)
class FittedFactor:
    name: str
    weight: float  # percent of the scorecard's spread of points
    points: tuple[tuple[float, float], ...]
    bins: tuple[Bin, ...]
    coefficient: float

    def to_factor(self) -> scoring.Factor:
        return scoring.Factor(self.name, self.weight, self.points)


@dataclass(frozen=True)
class Scorecard:
    factors: tuple[FittedFactor, ...]
    intercept: float
    sample_count: int
    late_count: int

    def scoring_factors(self) -> tuple[scoring.Factor, ...]:
        return tuple(factor.to_factor() for factor in self.factors)


# ----------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------
def metrics(score, late, probability) -> Metrics:
    """AUC, Gini and KS of ``score`` ranking the late samples last, and the Brier score of
    ``probability`` (of being late). AUC, Gini and KS are NaN when only one outcome occurs."""
    score, late, probability = _clean(score, late, probability)
    count, n_late = len(late), int(late.sum())
    if count == 0:
        nan = float("nan")
        return Metrics(0, 0, nan, nan, nan, nan)
    sk_metrics = _sklearn().metrics
    brier = float(sk_metrics.brier_score_loss(late, probability))
    if n_late in (0, count):
        nan = float("nan")
        return Metrics(count, n_late, nan, nan, nan, brier)
    auc = float(sk_metrics.roc_auc_score(late, -score))
    fpr, tpr, _thresholds = sk_metrics.roc_curve(late, -score)
    return Metrics(count, n_late, auc, 2 * auc - 1, float(np.max(tpr - fpr)), brier)


def roc_points(score, late, points: int = 50) -> list[tuple[float, float]]:
    """At most ``points`` (false positive rate, true positive rate) pairs of the ROC curve."""
    score, late, _probability = _clean(score, late, np.zeros(len(late)))
    if late.min(initial=0) == late.max(initial=0):
        return []
    fpr, tpr, _thresholds = _sklearn().metrics.roc_curve(late, -score)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(points, len(fpr))).round().astype(int))
    return [(float(fpr[i]), float(tpr[i])) for i in keep]


def platt(score_train, late_train):
    """The probability of being late as a function of the score, fitted on training samples (Platt
    scaling): every candidate's Brier score and calibration read the same way."""
    score_train, late_train, _p = _clean(score_train, late_train, np.zeros(len(late_train)))
    if late_train.min(initial=0) == late_train.max(initial=0):
        rate = float(late_train.mean()) if len(late_train) else 0.0
        return lambda score: np.full(len(np.asarray(score)), rate)
    model = _sklearn().linear_model.LogisticRegression().fit(score_train.reshape(-1, 1), late_train)
    return lambda score: model.predict_proba(
        np.nan_to_num(np.asarray(score, float), nan=50.0).reshape(-1, 1)
    )[:, 1]


def group_table(groups, probability, late, labels: Sequence) -> list[dict]:
    """Per group (in ``labels``' order): samples, mean predicted and observed late rate."""
    groups, probability, late = np.asarray(groups), np.asarray(probability, float), np.asarray(late, bool)
    rows = []
    for label in labels:
        mask = groups == label
        count = int(mask.sum())
        rows.append(
            {
                "group": label,
                "count": count,
                "predicted": float(probability[mask].mean()) if count else float("nan"),
                "observed": float(late[mask].mean()) if count else float("nan"),
            }
        )
    return rows


def deciles(score) -> np.ndarray:
    """Decile of each score, 1 (lowest scores) to 10 (highest)."""
    score = np.asarray(score, float)
    edges = np.nanquantile(score, np.linspace(0.1, 0.9, 9)) if len(score) else np.zeros(9)
    return np.searchsorted(edges, score, side="right") + 1


def monotone(observed_best_first: Sequence[float]) -> bool:
    """Whether each worse group pays late at least as often as the better one before it (empty groups
    left out)."""
    rates = [rate for rate in observed_best_first if not np.isnan(rate)]
    return all(later >= earlier for earlier, later in pairwise(rates))


def psi(expected, actual, bins: int = 10) -> float:
    """Population stability index of ``actual`` scores against ``expected`` ones, over the expected
    deciles; a small floor keeps empty bins finite."""
    expected, actual = np.asarray(expected, float), np.asarray(actual, float)
    expected, actual = expected[~np.isnan(expected)], actual[~np.isnan(actual)]
    if not len(expected) or not len(actual):
        return float("nan")
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)[1:-1]))
    e = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=len(edges) + 1) / len(expected)
    a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1) / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def propose_bands(reference, learned, min_scores: Sequence[float]) -> list[float]:
    """Grade bands for the ``learned`` scores that give each grade the share of the samples the current
    bands (``min_scores``) give the ``reference`` scores: a grade keeps meaning the same part of the book
    whatever the learned score's scale. Samples either score leaves unscored are left out. The band at
    0 stays there; the others stay distinct and in the same order, within 0-100."""
    reference, learned = np.asarray(reference, float), np.asarray(learned, float)
    both = ~np.isnan(reference) & ~np.isnan(learned)
    reference, learned = reference[both], learned[both]
    order = np.argsort(-np.asarray(min_scores, float), kind="stable")
    bounds = np.asarray(min_scores, float)[order]
    proposed = bounds.copy()
    if len(learned):
        for i, bound in enumerate(bounds):
            share = float(np.mean(reference >= bound))
            if bound > 0 and 0 < share < 1:
                proposed[i] = round(float(np.quantile(learned, 1.0 - share, method="higher")), 1)
    # Ties in the learned scores can give two grades one bound: keep 0.1 between neighbours.
    step = 0.1
    for i in range(len(proposed) - 2, -1, -1):
        if bounds[i] > 0:
            proposed[i] = max(proposed[i], proposed[i + 1] + step)
    for i in range(len(proposed)):
        if bounds[i] > 0:
            ceiling = 100.0 - step if i == 0 else proposed[i - 1] - step
            proposed[i] = round(min(proposed[i], ceiling), 1)
    result = np.empty(len(bounds))
    result[order] = proposed
    return result.tolist()


def split_by_time(cutoffs, share: float = 2 / 3) -> np.ndarray:
    """Mask of the samples to fit on: those of the older cutoffs, about ``share`` of them; the newer
    ones are kept to evaluate."""
    distinct = np.unique(cutoffs)
    if len(distinct) < 2:
        return np.ones(len(cutoffs), dtype=bool)
    last_fit = distinct[max(round(len(distinct) * share) - 1, 0)]
    return np.asarray(cutoffs) <= last_fit


def evaluate(score_fit, late_fit, score_test, late_test, grades: Sequence[tuple[str, float]]) -> dict:
    """One candidate's backtest: metrics on the test samples (probabilities calibrated on the fit
    samples), its grade table best grade first (``grades``: (code, min score) pairs) with whether it is
    monotone, and its decile table. Unscored samples count at the middle score, as on the same samples
    for every candidate."""
    score_fit = np.nan_to_num(np.asarray(score_fit, float), nan=50.0)
    score_test = np.nan_to_num(np.asarray(score_test, float), nan=50.0)
    probability = platt(score_fit, late_fit)(score_test)
    grades = sorted(grades, key=lambda grade: -grade[1])
    codes = [code for code, _min in grades]
    position = scoring.band_index(score_test, [minimum for _code, minimum in grades])
    grade_rows = group_table(
        np.array([codes[i] if i >= 0 else "" for i in position]), probability, late_test, codes
    )
    return {
        "metrics": metrics(score_test, late_test, probability),
        "grades": grade_rows,
        "monotone": monotone([row["observed"] for row in grade_rows]),
        "deciles": group_table(deciles(score_test), probability, late_test, list(range(1, 11))),
        "roc": roc_points(score_test, late_test),
    }


# ----------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------
def fit(values, late, names: Sequence[str] = scoring.FACTORS, max_bins: int = 6) -> Scorecard:
    """Learn a scorecard from samples: ``values`` (N, F) factor values in ``names``' order (NaN
    unknown), ``late`` (N,) booleans. Raises FitError when the samples cannot support one."""
    values = np.asarray(values, float)
    late = np.asarray(late, bool)
    if len(late) < MIN_SAMPLES:
        raise FitError(f"{len(late)} samples, at least {MIN_SAMPLES} are needed")
    if late.sum() < MIN_LATE or (~late).sum() < MIN_LATE:
        raise FitError(
            f"{int(late.sum())} late and {int((~late).sum())} on-time samples, at least {MIN_LATE} of each "
            "are needed"
        )
    binned = {
        name: monotone_bins(values[:, j], late, scoring.HIGHER_IS_BETTER[name], max_bins)
        for j, name in enumerate(names)
    }
    usable = [name for name in names if binned[name] and len(binned[name]) > 1]
    if not usable:
        raise FitError("no factor separates late from on-time payers in these samples")
    woe = {name: _woe_column(values[:, names.index(name)], binned[name]) for name in usable}
    coefficients, intercept = _regress(woe, late, usable)
    fitted = []
    spreads = {}
    for name in names:
        beta = coefficients.get(name, 0.0)
        bins = binned.get(name) or ()
        if beta <= 0 or len(bins) < 2:
            spreads[name] = 0.0
            continue
        points = np.array([beta * b.woe for b in bins])
        spreads[name] = float(points.max() - points.min())
    total = sum(spreads.values())
    for name in names:
        bins = binned.get(name) or ()
        beta = coefficients.get(name, 0.0)
        if not spreads[name]:
            fitted.append(FittedFactor(name, 0.0, FLAT_POINTS, tuple(bins), beta))
            continue
        points = np.array([beta * b.woe for b in bins])
        subs = 100.0 * (points - points.min()) / (points.max() - points.min())
        fitted.append(
            FittedFactor(
                name,
                round(100.0 * spreads[name] / total, 2),
                tuple(
                    zip(_readable([b.value for b in bins]), (round(float(s), 2) for s in subs), strict=True)
                ),
                tuple(bins),
                beta,
            )
        )
    return Scorecard(tuple(fitted), intercept, len(late), int(late.sum()))


def learn(values, late, cutoffs, names: Sequence[str] = scoring.FACTORS) -> tuple[Scorecard, np.ndarray]:
    """The scorecard learned from a backtest's samples, and the mask of the samples it was fitted on: fitted
    on the older cutoffs (``split_by_time``), then pruned on the newest third of those, so that the newer
    cutoffs are left to evaluate it. Raises FitError when the samples cannot support one."""
    values, late, cutoffs = np.asarray(values, float), np.asarray(late, bool), np.asarray(cutoffs)
    fit_mask = split_by_time(cutoffs)
    card = fit(values[fit_mask], late[fit_mask], names)
    pruning = fit_mask & ~split_by_time(np.where(fit_mask, cutoffs, cutoffs.min()))
    if late[pruning].any() and not late[pruning].all():
        card = prune(card, values[pruning], late[pruning], names)
    return card, fit_mask


def prune(card: Scorecard, values, late, names: Sequence[str] = scoring.FACTORS) -> Scorecard:
    """Leave out, one at a time, the factors whose removal improves the AUC of the product's own scoring
    (``scoring.compute``, which renormalises the weights over the known factors where the regression
    counted an unknown value as neutral) on these samples; the remaining weights are rescaled to 100."""
    values, late = np.asarray(values, float), np.asarray(late, bool)
    columns = {name: values[:, j] for j, name in enumerate(names)}

    def auc(factors):
        score = np.nan_to_num(scoring.compute(columns, [f.to_factor() for f in factors]).score, nan=50.0)
        return metrics(score, late, np.zeros(len(late))).auc

    factors = list(card.factors)
    best = auc(factors)
    while True:
        trials = [
            (auc(trial), trial)
            for i, factor in enumerate(factors)
            if factor.weight
            for trial in [[*factors[:i], replace(factor, weight=0.0), *factors[i + 1 :]]]
            if any(f.weight for f in trial)
        ]
        if not trials:
            break
        score, trial = max(trials, key=lambda pair: pair[0])
        if not score > best + 1e-4:
            break
        best, factors = score, trial
    total = sum(f.weight for f in factors)
    return replace(
        card, factors=tuple(replace(f, weight=round(100.0 * f.weight / total, 2)) for f in factors)
    )


def monotone_bins(x, late, higher_is_better: bool, max_bins: int = 6) -> tuple[Bin, ...]:
    """Quantile bins of the known values of ``x``, pooled until the late rate moves one way only:
    down as x grows for a factor where higher is better, up otherwise."""
    known = ~np.isnan(x)
    x, late = x[known], late[known]
    if len(np.unique(x)) < 2:
        return ()
    edges = np.unique(np.quantile(x, np.linspace(0, 1, max_bins + 1)[1:-1]))
    index = np.searchsorted(edges, x, side="left")  # bin i holds edges[i-1] < x <= edges[i]
    present = np.unique(index)
    counts = np.array([np.sum(index == i) for i in present])
    lates = np.array([np.sum(late[index == i]) for i in present])
    pooled = (
        _sklearn()
        .isotonic.IsotonicRegression(increasing=not higher_is_better)
        .fit(np.arange(len(present)), lates / counts, sample_weight=counts)
        .predict(np.arange(len(present)))
    )
    # adjacent bins the regression pooled to one rate become one bin
    group = np.concatenate([[0], np.cumsum(~np.isclose(np.diff(pooled), 0.0))])
    total_late, total_good = late.sum(), (~late).sum()
    bins = []
    for g in np.unique(group):
        members = present[group == g]
        mask = np.isin(index, members)
        n, n_late = int(mask.sum()), int(late[mask].sum())
        good_share = (n - n_late + 0.5) / (total_good + 0.5)
        late_share = (n_late + 0.5) / (total_late + 0.5)
        upper = float(x[mask].max()) if g != group[-1] else float("inf")
        bins.append(Bin(upper, float(np.median(x[mask])), n, n_late, float(np.log(good_share / late_share))))
    return tuple(bins)


def _readable(values: Sequence[float]) -> list[float]:
    """``values`` (increasing) with as few significant digits as keep them increasing: breakpoints a
    person can read on the factor line."""
    for digits in range(3, 18):
        rounded = [float(f"{value:.{digits}g}") for value in values]
        if all(b > a for a, b in pairwise(rounded)):
            return rounded
    return [float(value) for value in values]


def _woe_column(x, bins: tuple[Bin, ...]) -> np.ndarray:
    """Each value's bin's weight of evidence; 0 (no evidence) for unknown values."""
    uppers = np.array([b.upper for b in bins])
    woes = np.array([b.woe for b in bins])
    index = np.minimum(np.searchsorted(uppers, x, side="left"), len(bins) - 1)
    return np.where(np.isnan(x), 0.0, woes[index])


def _regress(woe: dict, late, names) -> tuple[dict, float]:
    """Logistic regression of being on time on the weights of evidence; a factor whose coefficient
    comes out against its evidence is dropped and the rest refitted."""
    names = list(names)
    while names:
        matrix = np.column_stack([woe[name] for name in names])
        model = _sklearn().linear_model.LogisticRegression(C=1.0, max_iter=1000).fit(matrix, ~late)
        betas = dict(zip(names, model.coef_[0], strict=True))
        wrong = [name for name, beta in betas.items() if beta <= 0]
        if not wrong:
            return {name: float(beta) for name, beta in betas.items()}, float(model.intercept_[0])
        names = [name for name in names if name not in wrong]
    return {}, 0.0


def _clean(score, late, probability):
    score = np.asarray(score, float)
    late = np.asarray(late, bool)
    probability = np.asarray(probability, float)
    keep = ~np.isnan(score)
    return score[keep], late[keep], probability[keep]
