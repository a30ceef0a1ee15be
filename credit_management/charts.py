"""SVG chart geometry shared by every screen and report: plain Python, no Odoo import."""


def coordinates(points, width, height, x_range=(0.0, 1.0), y_range=(0.0, 1.0)):
    """(x, y) ``points`` placed in a ``width`` x ``height`` SVG box, x growing rightwards and y upwards over
    the given ranges, rounded to a tenth; points with a None coordinate are left out."""
    (x0, x1), (y0, y1) = x_range, y_range
    x_span, y_span = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    return [
        (round((x - x0) / x_span * width, 1), round(height - (y - y0) / y_span * height, 1))
        for x, y in points
        if x is not None and y is not None
    ]


def polyline(points, width, height, x_range=(0.0, 1.0), y_range=(0.0, 1.0)):
    """The ``points`` attribute of an SVG polyline through ``points`` (see ``coordinates``)."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates(points, width, height, x_range, y_range))


def _rect(x, y, width, height):
    return {"x": round(x, 1), "y": round(y, 1), "width": round(width, 1), "height": round(height, 1)}


def grouped_bars(groups, width, height, gap=0.25):
    """Side-by-side bars of each group of values (one group per slot, the same number of values in
    each), all on one scale from zero to the largest value; negative values draw no bar. Returns one
    list of rectangles (x, y, width, height) per group."""
    groups = [list(group) for group in groups]
    if not groups:
        return []
    top = max((max(group) for group in groups), default=0.0) or 1.0
    slot = width / len(groups)
    bar = slot * (1 - gap) / max(len(group) for group in groups)
    return [
        [
            _rect(
                index * slot + slot * gap / 2 + position * bar,
                height - max(value, 0.0) / top * height,
                bar,
                max(value, 0.0) / top * height,
            )
            for position, value in enumerate(group)
        ]
        for index, group in enumerate(groups)
    ]


def stacked_bars(series, width, height, gap=0.25):
    """Stacked bars: ``series`` is one row of values per layer, one column per slot; each slot's bar
    is as high as its column's total relative to the largest total. Returns one list of rectangles per
    layer, the first layer at the bottom."""
    rows = [list(row) for row in series]
    if not rows or not rows[0]:
        return [[] for _row in rows]
    totals = [sum(column) for column in zip(*rows, strict=True)]
    top = max(totals) or 1.0
    slot = width / len(totals)
    base = [float(height)] * len(totals)
    layers = []
    for row in rows:
        layer = []
        for index, value in enumerate(row):
            bar_height = max(value, 0.0) / top * height
            base[index] -= bar_height
            layer.append(_rect(index * slot + slot * gap / 2, base[index], slot * (1 - gap), bar_height))
        layers.append(layer)
    return layers
