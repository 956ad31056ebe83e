"""Screens of the app: passage, ingest, import, help."""
