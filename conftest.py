"""Starts the suite's out-of-process steps (see credit_management/tests/server.py) as soon as the tests
that will run are known, so that they run alongside the others."""


def pytest_collection_finish(session):
    for cls in {item.cls for item in session.items if getattr(item, "cls", None)}:
        start = getattr(cls, "start_background", None)
        if start:
            start()
