"""Credit bureau connectors, one module per provider, registered by kind (``base.REGISTRY``)."""

from . import creditsafe, qichacha
from .base import REGISTRY, BureauError, Identifier

__all__ = ["REGISTRY", "BureauError", "Identifier", "creditsafe", "qichacha"]
