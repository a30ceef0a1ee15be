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
