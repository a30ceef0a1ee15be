"""Reading records as plain values and comparing them, for verify_sample's checks."""


def _assert_none(rows, message):
    if rows:
        raise AssertionError(f"verify_sample: {message}: {rows}")


def _read(records, fnames):
    return {rec.id: {fname: _plain(rec[fname]) for fname in fnames} for rec in records}


def _plain(value):
    if hasattr(value, "_name"):  # recordset
        return tuple(value.ids)
    return value


def _assert_same(expected, actual, message, label=None):
    errors = []
    for rec_id, values in expected.items():
        for fname, value in values.items():
            other = actual[rec_id][fname]
            if isinstance(value, float) or isinstance(other, float):
                same = abs((value or 0.0) - (other or 0.0)) <= 1e-6 * max(1.0, abs(value or 0.0))
            else:
                same = value == other
            if not same:
                errors.append(f"{label or rec_id}.{fname}: {value!r} != {other!r}")
    if errors:
        raise AssertionError(f"verify_sample: {message}: " + "; ".join(errors[:10]))
