"""Downloads: the list as CSV/XLSX, the plan as PDF, and the profile as a TOML or JSON file."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
