"""The results page (`/results`) and its JSON twin (`/api/results`)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
