"""Kept for tools that still call setup.py; all metadata is in pyproject.toml (PEP 621)."""

from setuptools import setup

setup()
