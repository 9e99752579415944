"""Exports of SmartPick results to files: the list as CSV or XLSX (`tables`), the plan as PDF (`pdf`)."""
