"""Exports of SmartPick results to files (PDF, ...)."""
