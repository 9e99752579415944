"""Answers are gzipped for clients on other machines, never for those on this one
(web/compression.py): the real app, with the client's address set as a server would."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from smartpick.web.compression import is_remote

REMOTE = ("203.0.113.7", 40000)  # an address reserved for documentation
LOCAL = ("127.0.0.1", 40000)


def _get(app, client: tuple[str, int], url: str, **headers: str) -> httpx.Response:
    with TestClient(app, base_url="http://127.0.0.1", client=client) as c:
        return c.get(url, headers=headers)


@pytest.mark.parametrize(
    ("address", "remote"),
    [
        ("127.0.0.1", False),
        ("127.4.5.6", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("testclient", False),
        ("203.0.113.7", True),
        ("10.0.0.2", True),
        ("2001:db8::1", True),
    ],
)
def test_which_clients_are_remote(address: str, remote: bool) -> None:
    assert is_remote((address, 1)) is remote
    assert not is_remote(None)


def test_a_remote_client_gets_the_same_page_in_an_eighth_of_the_bytes(app, guide_query) -> None:
    url = "/results?" + guide_query
    local = _get(app, LOCAL, url, **{"accept-encoding": "gzip"})
    remote = _get(app, REMOTE, url, **{"accept-encoding": "gzip"})
    assert local.status_code == remote.status_code == 200
    assert "content-encoding" not in local.headers  # loopback: bytes cost nothing
    assert remote.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in remote.headers["vary"].lower()
    assert remote.headers["cache-control"] == "no-store"  # the security headers stay
    assert remote.text == local.text
    assert remote.num_bytes_downloaded < local.num_bytes_downloaded / 5


def test_no_gzip_unless_asked_or_worth_it(app, guide_query) -> None:
    plain = _get(app, REMOTE, "/results?" + guide_query, **{"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    small = _get(app, REMOTE, "/api/results?step2ck=999", **{"accept-encoding": "gzip"})
    assert small.status_code == 422 and len(small.content) < 1024  # an error of a few lines
    assert "content-encoding" not in small.headers
