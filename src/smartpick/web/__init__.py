"""The SmartPick web page: FastAPI + Jinja2, JSON twins under /api/, no account, no CDN."""

from smartpick.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
