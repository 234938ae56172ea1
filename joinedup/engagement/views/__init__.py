"""Engagement pages, by what they are about."""
