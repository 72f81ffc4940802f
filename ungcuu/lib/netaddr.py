"""IP ranges and domain names as the registry stores them.

IP networks are kept as CIDR text plus their first and last address as 32 hex digits (IPv4 mapped
into IPv6), so "which range holds this address" is an indexed string comparison on any database.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def address_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """A sortable 32-hex-digit key; IPv4 addresses are mapped into ::ffff:0:0/96."""
    if address.version == 4:
        address = ipaddress.IPv6Address("::ffff:" + str(address))
    return f"{int(address):032x}"


# A system's public range is never wider than this; wider ones would capture other owners' addresses.
MIN_PREFIX = {4: 16, 6: 32}

# Second-level names under .vn shared by many owners: a system may hold a name below them, not them.
SHARED_SUFFIXES = {
    "vn", "gov.vn", "com.vn", "net.vn", "org.vn", "edu.vn", "ac.vn", "int.vn", "info.vn", "biz.vn",
    "name.vn", "pro.vn", "health.vn",
}


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parse "203.113.1.0/24", "2001:db8::/32" or a single address; raise a clear error otherwise."""
    value = text.strip()
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a valid IP range: write it as an address or in CIDR form, e.g. 203.113.1.0/24."),
            code="invalid_cidr", params={"value": value},
        ) from None
    if "/" in value and network.network_address != ipaddress.ip_address(value.split("/", 1)[0]):
        raise ValidationError(
            _("“%(value)s” has host bits set: did you mean %(network)s?"),
            code="host_bits", params={"value": value, "network": str(network)})
    if network.prefixlen < MIN_PREFIX[network.version]:
        raise ValidationError(
            _("“%(value)s” is too wide for one system: the prefix must be at least /%(min)s."),
            code="too_wide", params={"value": value, "min": MIN_PREFIX[network.version]})
    return network


def network_bounds(network) -> tuple[str, str]:
    return address_key(network.network_address), address_key(network.broadcast_address)


def parse_address(text: str):
    """Parse one IP address, or return None when the text is not one."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def normalize_domain(text: str) -> str:
    """Lower-case ASCII (IDNA) form of a host name; a pasted URL is reduced to its host."""
    value = host_of(text)
    if value.startswith("*."):
        value = value[2:]
    try:
        ascii_value = value.encode("idna").decode("ascii") if value else ""
    except UnicodeError:
        ascii_value = ""
    labels = ascii_value.split(".")
    if (len(ascii_value) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels)
            or labels[-1].isdigit() or ascii_value in SHARED_SUFFIXES):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name, e.g. quangngai.gov.vn."),
            code="invalid_domain", params={"value": text.strip()},
        )
    return ascii_value


def host_of(text: str) -> str:
    """The host part of a pasted URL, or the text itself: "https://[2001:db8::1]:8443/x" → "2001:db8::1"."""
    value = text.strip().lower()
    if re.match(r"^[a-z][a-z0-9+.-]*://", value):
        value = urlsplit(value).hostname or ""
    elif value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.split("/", 1)[0].rstrip(".")


def domain_suffixes(host: str) -> list[str]:
    """mail.a.gov.vn → [mail.a.gov.vn, a.gov.vn, gov.vn]: the names a registered domain may match."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]
