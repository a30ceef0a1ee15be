"""Customer behaviour profiles, and the mark seeded customers carry."""

PROFILES = ("punctual", "late", "deteriorating", "new", "defaulting", "occasional")
PUNCTUAL, LATE, DETERIORATING, NEW, DEFAULTING, OCCASIONAL = range(len(PROFILES))
DEFAULT_MIX = dict(zip(PROFILES, (0.35, 0.20, 0.15, 0.10, 0.10, 0.10), strict=True))

# Seeded customers carry 'SEED-<profile>-000123' in ref: how verify_sample and the demo find them.
REF_PREFIX = "SEED-"
