"""The SSRF guard: webhooks go to public http(s) addresses only, unless the operator allows
private ones (WEBHOOK_ALLOW_PRIVATE_TARGETS).

A URL is checked when a subscription is saved (scheme, and a host that is plainly internal) and
again at every delivery, after resolving the name: every address it resolves to must be public,
and the request is then sent to that checked address, so a name that changes its answer between
the check and the connection (DNS rebinding) cannot reach inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.errors import invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class TargetRefused(Exception):
    """The URL may not be delivered to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP the request connects to


def forbidden_address(ip: IPAddress) -> bool:
    """Loopback, private, link-local (cloud metadata), multicast, reserved, unspecified, CGNAT..."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_url(url: str, *, allow_private: bool, field: str = "url") -> None:
    """What can be said without the network: http(s), a host, not plainly internal (422 if not)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise invalid(field, "Not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid(field, "Webhooks are delivered to http:// or https:// URLs only")
    if allow_private:
        return
    host = parts.hostname.lower().rstrip(".")
    literal = _literal(host)
    if (
        (literal is not None and forbidden_address(literal))
        or host == "localhost"
        or host.endswith(_INTERNAL_SUFFIXES)
    ):
        raise invalid(field, "Webhooks may not target loopback, private or link-local addresses")


async def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and pick an address it may connect to, or raise TargetRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("Only http(s) URLs are delivered to")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise TargetRefused(f"Cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise TargetRefused(f"{host} has no address")
    if not allow_private:
        refused = [str(a) for a in addresses if forbidden_address(a)]
        if refused:
            raise TargetRefused(f"{host} resolves to a non-public address ({', '.join(refused)}); refused")
    return Target(scheme=parts.scheme, host=host, port=port, address=str(addresses[0]))
