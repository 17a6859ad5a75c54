"""Delivery of digests after a run: e-mail (SMTP) and webhooks. Never harvests."""

from __future__ import annotations

from ..errors import ArxivRadarError

__all__ = ["DeliveryError"]


class DeliveryError(ArxivRadarError):
    """A digest that could not be delivered (the run still succeeds; it is retried next run)."""
