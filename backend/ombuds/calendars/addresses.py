"""Which addresses a CalDAV connection may reach: public ones, and the private networks an
operator allows (``OMBUDS_CALDAV_ALLOWED_NETWORKS``). Everything else, loopback, link-local
(cloud metadata), private, shared (CGNAT), unique local, multicast, reserved and
unspecified addresses, in every spelling (``127.1``, ``2130706433``, ``[::ffff:127.0.0.1]``),
is refused, so a connection cannot be used to probe or reach the inside of the network.

A host name is resolved and every address it resolves to is checked: one inside refuses
the name. The check is made when a connection is saved and again, through
:class:`GuardedResolver`, each time the sync job opens a connection (redirects included),
on the very addresses it then connects to: a name that resolves elsewhere later (DNS
rebinding) gains nothing."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any

from niquests.packages.urllib3.contrib.resolver.system import (  # type: ignore[import-not-found]
    SystemResolver,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# One answer for a name that does not resolve, resolves inside, or is an inside address:
# the refusal must not tell which internal addresses exist.
REFUSED = "The CalDAV address cannot be used: it does not resolve to a public server."


class AddressRefused(OSError):
    """The host resolves to no address a connection may reach."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


def _plain(address: IPAddress) -> IPAddress:
    """An IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible IPv6 address as its IPv4 self."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def permitted(address: str, allowed: Sequence[IPNetwork]) -> bool:
    try:
        ip = _plain(ipaddress.ip_address(address.split("%", 1)[0]))
    except ValueError:
        return False
    if any(ip.version == net.version and ip in net for net in allowed):
        return True
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def lookup(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (numeric spellings included, as the system
    resolver reads them); raises OSError when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_host(host: str, port: int, allowed: Sequence[IPNetwork]) -> None:
    """Raises :class:`AddressRefused` unless every address of ``host`` is permitted."""
    try:
        found = lookup(host.strip("[]"), port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise AddressRefused() from exc
    if not found or not all(permitted(a, allowed) for a in found):
        raise AddressRefused()


class GuardedResolver(SystemResolver):  # type: ignore[misc]
    """The system resolver, refusing any host that resolves to an address not permitted.
    The connection is made to the addresses checked here, so there is no second lookup
    an attacker's DNS could answer differently."""

    def __init__(self, *patterns: str, **kwargs: Any) -> None:
        self.allowed: tuple[IPNetwork, ...] = tuple(kwargs.pop("allowed", ()))
        super().__init__(*patterns, **kwargs)

    def getaddrinfo(
        self, host: bytes | str | None, port: str | int | None, *args: Any, **kwargs: Any
    ) -> list[Any]:
        name = host.decode("ascii") if isinstance(host, bytes) else host
        if name is None:
            raise AddressRefused()
        try:
            records: list[Any] = super().getaddrinfo(name.strip("[]"), port, *args, **kwargs)
        except OSError as exc:
            raise AddressRefused() from exc
        if not records or not all(permitted(str(r[4][0]), self.allowed) for r in records):
            raise AddressRefused()
        return records
