"""Verbs added by later features (verify, backup, restore, screenshots), kept apart so each
lives beside its own feature and ``cli.py`` stays short."""

from __future__ import annotations

import argparse


def register(verbs: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the verbs that exist in this build."""
