"""Votes: being built (see the issue); registered in bot/app.py already."""

from __future__ import annotations

from bot.feature import Feature

FEATURE = Feature(name="votes", handlers=lambda: [])
