"""Pipelines and promotions (docs/promotions.md)."""
