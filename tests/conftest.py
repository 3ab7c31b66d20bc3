"""Test-wide guards: the network is unreachable except loopback, so nothing can download at run time."""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

# A PostgreSQL review store needs the audit key from outside the database (assistant.review.auditkey); the tests
# share one, as the hosts of one deployment do. Tests of the key's own rules unset it with monkeypatch.
os.environ.setdefault("RA_AUDIT_KEY", "test-audit-key-0123456789abcdef0123456789abcdef")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host in {"localhost", ""}:
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths


class NetworkBlocked(OSError):
    pass


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host not in (None, "localhost", "127.0.0.1", "::1", "0.0.0.0") and not str(host).startswith("127."):
        raise NetworkBlocked(f"DNS lookup blocked in tests: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    # Libraries that would phone home must believe they are offline.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.delenv("RA_OPENAI_API_KEY", raising=False)
    # What endpoints refused is remembered beside the store (issue 24): tests keep it in memory unless they name a file
    monkeypatch.setenv("RA_CAPABILITY_CACHE", "-")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
