"""Indicators (IOCs) in free text: find them, refang them, normalise them, defang them for display.

Pure functions, no database. What counts (the decisions, so that reviewers can disagree with them):

- Defanged forms are undone first: hxxp/hxxps (any case), [.] (.) {.} [dot] (dot) {dot}, [:] (:),
  [at] (at) {at} [@] (@), [/] and [://], with spaces allowed around any of them ("example [.] com").
  A bare word "dot" or "at" is left alone: in prose it is a word, not a defanged character.
- URLs: http, https, ftp, hxxp... with a host that is a valid IP or a domain with a real TLD. Trailing
  punctuation (.,;:!?'" and an unbalanced closing bracket) is not part of the URL. The scheme and
  host are lower-cased (the host in its IDNA ASCII form), the path is kept as written. The host
  of a URL is returned too, as a domain or IP: it is what other incidents share.
- E-mail addresses: a domain with a real TLD; the whole address lower-cased (mail providers treat
  the local part case-insensitively in practice, and one spelling per address is what links incidents).
- IPv4 and IPv6 addresses validated with `ipaddress` and written in their canonical form. Not
  indicators: loopback, unspecified (0.0.0.0, ::), multicast and reserved addresses; a dotted quad
  that is part of a longer dotted number (1.2.3.4.5) or that follows a version word ("version",
  "ver", "v", "phiên bản", "bản", "build", "release") is a version number, not an address.
- Hashes by length of a whole hex word: 32 = MD5, 40 = SHA-1, 64 = SHA-256, lower-cased. A word of
  digits only is a number, not a hash.
- File names: a name ending in an executable, script, document or archive extension (FILE_EXTENSIONS);
  a Windows or Unix path gives its last part. Kept as written.
- Domains: dot-separated labels whose last label is a real top-level domain (TLDS: every ISO 3166
  country code plus the generic TLDs seen in incident data; not the full IANA list of ~1,450, many of
  which are ordinary words). A name whose last label is a file extension is a file name, not a domain
  (.zip, .mov and .sh are TLDs too, but "invoice.zip" in a report is a file). Lower-cased, IDNA ASCII
  ("xn--") form: the form DNS, logs and firewalls use, so that incidents match.
"""

import ipaddress
import re

from django.utils.translation import gettext as _


def _words(text: str) -> list[str]:
    return text.split()


# Every ISO 3166-1 alpha-2 country code in use as a ccTLD (plus .uk, .eu, .ac, .su).
_CCTLDS = _words("""
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz
ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk
fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir
is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk
ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl
pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc
td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
""")
_GTLDS = _words("""
com net org info biz gov edu mil int arpa name pro mobi asia tel travel jobs museum aero coop cat xxx post
app dev page io ai xyz top online site website shop store club vip live life world today tech cloud space
fun icu buzz link click work digital email news blog host press network solutions services center
support software systems group global agency company business finance money bank bet casino win
loan download stream video media pics photo photos zip mov lol pw cyou rest monster quest sbs bond cfd
""")
TLDS = frozenset(_CCTLDS + _GTLDS)

FILE_EXTENSIONS = frozenset(_words("""
exe dll scr bat cmd ps1 psm1 vbs vbe js jse wsf wsh hta msi msp jar apk lnk sys cpl pif elf bin so dylib
doc docx docm dot dotm xls xlsx xlsm xlsb ppt pptx pptm pdf rtf odt ods odp one iso img vhd vhdx
py pl php phtml asp aspx jsp sh
zip rar 7z tar gz tgz bz2 xz cab arj ace
"""))

_VERSION_WORDS = re.compile(r"(?:version|ver|v|phiên\s+bản|bản|build|release|rev)\.?\s*:?\s*$", re.IGNORECASE)

# Defanging marks, with optional spaces around them.
_REFANG = [
    (re.compile(r"\bh(?:xx|XX|\*\*|tt)p(s?)(?=\s*(?:\[?:\]?|\(:\))\s*//|\[://\])", re.IGNORECASE), r"http\1"),
    (re.compile(r"\s*\[\s*:\s*//\s*\]\s*"), "://"),
    (re.compile(r"\s*[\[\(\{]\s*(?:\.|dot)\s*[\]\)\}]\s*", re.IGNORECASE), "."),
    (re.compile(r"\s*[\[\(\{]\s*(?:@|at)\s*[\]\)\}]\s*", re.IGNORECASE), "@"),
    (re.compile(r"\s*[\[\(]\s*:\s*[\]\)]\s*"), ":"),
    (re.compile(r"\s*\[\s*/\s*\]\s*"), "/"),
]

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[\w-]+", re.UNICODE)
_HASH = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?![0-9A-Za-z])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:.])")
_FILE = re.compile(r"(?<![\w.-])[\w][\w.-]*\.(?:" + "|".join(sorted(FILE_EXTENSIONS, key=len, reverse=True))
                   + r")(?![\w.-]|\.\w)", re.IGNORECASE | re.UNICODE)
_DOMAIN = re.compile(r"(?<![\w@.-])(?:[\w](?:[\w-]{0,61}[\w])?\.)+[\w-]{2,63}(?![\w-]|\.\w)", re.UNICODE)
_TRAILING = ".,;:!?'\"»”’"
# Names of software that look like files or domains; a report mentions them as products.
_NOT_FILES = frozenset({"node.js", "vue.js", "next.js", "nuxt.js", "react.js", "angular.js", "express.js",
                        "three.js", "d3.js", "chart.js"})
_NOT_DOMAINS = frozenset({"asp.net", "vb.net", "ado.net"})
_HASH_KINDS = {32: "md5", 40: "sha1", 64: "sha256"}
MAX_LENGTH = 500  # Indicator.value


def refang(text: str) -> str:
    """Undo the usual defanging marks: 'hxxps://evil[.]example (.) com' → 'https://evil.example.com'."""
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


def _ip(text: str) -> str | None:
    """The canonical form of an IP address worth recording, else None."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified or address.is_multicast or address.is_reserved:
        return None
    return str(address)


def domain(text: str) -> str | None:
    """A domain's lower-case IDNA ASCII form when its last label is a real TLD, else None."""
    name = text.strip().rstrip(".").lower()
    if not name or "." not in name or len(name) > 253 or name in _NOT_DOMAINS:
        return None
    try:
        labels = [label.encode("idna").decode("ascii") for label in name.split(".")]
    except UnicodeError:
        return None
    if any(not label or len(label) > 63 or label.startswith("-") or label.endswith("-") for label in labels):
        return None
    tld = labels[-1]
    if tld not in TLDS and not (tld.startswith("xn--") and len(tld) > 4):
        return None
    if not all(re.fullmatch(r"[a-z0-9-]+", label) for label in labels):
        return None
    return ".".join(labels)


def unicode_domain(value: str) -> str:
    """The readable form of an IDNA domain ('xn--bcher-kva.vn' → 'bücher.vn')."""
    try:
        return ".".join(label.encode("ascii").decode("idna") for label in value.split("."))
    except UnicodeError:
        return value


def _strip_trailing(url: str) -> str:
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    for opening, closing in ("()", "[]", "{}"):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1]
            while url and url[-1] in _TRAILING:
                url = url[:-1]
    return url


def _url(text: str) -> tuple[str, tuple[str, str]] | None:
    """(normalised URL, (kind, host)) or None when the host is not a real one."""
    match = re.match(r"([a-zA-Z]+)://([^/?#]*)(.*)", text, re.DOTALL)
    if not match:
        return None
    scheme, authority, rest = match.groups()
    userinfo, _at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        host, _sep, port = hostport[1:].partition("]")
        port = port[1:] if port.startswith(":") else ""
        ip = _ip(host)
        if ip is None or ":" not in ip:
            return None
        shown_host, host_indicator = f"[{ip}]", ("ip", ip)
    else:
        host, _sep, port = hostport.partition(":")
        ip = _ip(host) if re.fullmatch(r"[\d.]+", host) else None
        if ip is not None:
            shown_host, host_indicator = ip, ("ip", ip)
        else:
            name = domain(host)
            if name is None:
                return None
            shown_host, host_indicator = name, ("domain", name)
    if port and not port.isdigit():
        return None
    value = f"{scheme.lower()}://{userinfo + '@' if userinfo else ''}{shown_host}{':' + port if port else ''}{rest}"
    if len(value) > MAX_LENGTH:
        return None
    return value, host_indicator


def email(text: str) -> str | None:
    local, at, host = text.strip().rpartition("@")
    if not at or not local or len(local) > 64 or not re.fullmatch(r"[\w.+-]+", local) or local.startswith("."):
        return None
    name = domain(host)
    return f"{local.lower()}@{name}" if name else None


def _file_name(text: str) -> str | None:
    name = re.split(r"[\\/]", text.strip())[-1].strip()
    extension = name.rpartition(".")[2].lower()
    if (not name or extension not in FILE_EXTENSIONS or name.startswith(".") or len(name) > 255
            or name.lower() in _NOT_FILES):
        return None
    return name


def _is_version(text: str, start: int) -> bool:
    return bool(_VERSION_WORDS.search(text[max(0, start - 20):start]))


def extract(text: str) -> list[tuple[str, str]]:
    """Every indicator in the text as (kind, value), refanged and normalised, each once, in order of appearance."""
    text = refang(text or "")
    found: list[tuple[int, str, str]] = []
    masked = list(text)

    def take(pattern, handler):
        for match in pattern.finditer("".join(masked)):
            results = handler(match)
            if results is None:
                continue
            for kind, value in results:
                found.append((match.start(), kind, value))
            for i in range(match.start(), match.end()):
                masked[i] = " "

    def on_url(match):
        raw = _strip_trailing(match.group())
        result = _url(raw)
        if result is None:
            return None
        value, host = result
        return [("url", value), host]

    def on_email(match):
        value = email(match.group().rstrip(_TRAILING))
        return [("email", value)] if value else None

    def on_hash(match):
        value = match.group()
        if value.isdigit():
            return None
        return [(_HASH_KINDS[len(value)], value.lower())]

    def on_ipv4(match):
        if _is_version(text, match.start()):
            return [] if _ip(match.group()) else None  # a version: masked, not an indicator
        value = _ip(match.group())
        return [("ip", value)] if value else None

    def on_ipv6(match):
        candidate = match.group()
        if candidate.count(":") < 2:
            return None
        value = _ip(candidate)
        return [("ip", value)] if value and ":" in value else None

    def on_file(match):
        value = _file_name(match.group())
        return [("file_name", value)] if value else None

    def on_domain(match):
        value = domain(match.group().rstrip(_TRAILING))
        return [("domain", value)] if value else None

    take(_URL, on_url)
    take(_EMAIL, on_email)
    take(_HASH, on_hash)
    take(_IPV6, on_ipv6)
    take(_IPV4, on_ipv4)
    take(_FILE, on_file)
    take(_DOMAIN, on_domain)

    seen, result = set(), []
    for _start, kind, value in sorted(found, key=lambda item: item[0]):
        if (kind, value) not in seen:
            seen.add((kind, value))
            result.append((kind, value))
    return result


def normalise(kind: str, value: str) -> str:
    """The stored form of one indicator typed by hand (defanged forms accepted); ValueError with a
    message a person can act on when the value is not of that kind."""
    raw = refang((value or "").strip())
    if not raw:
        raise ValueError(_("Enter a value."))
    if kind == "ip":
        result = _ip(raw.strip("[]"))
        if result is None:
            raise ValueError(_("Not a public or private IP address worth recording (loopback, unspecified, "
                             "multicast and malformed addresses are refused)."))
        return result
    if kind == "domain":
        result = domain(raw)
        if result is None:
            raise ValueError(_("Not a domain name with a known top-level domain."))
        return result
    if kind == "url":
        if not re.match(r"(?i)(https?|ftp)://", raw):
            raise ValueError(_("A URL starts with http://, https:// or ftp:// (hxxp:// is accepted)."))
        result = _url(_strip_trailing(raw))
        if result is None:
            raise ValueError(_("The URL's host is not a valid IP address or a domain with a known "
                               "top-level domain."))
        return result[0]
    if kind == "email":
        result = email(raw)
        if result is None:
            raise ValueError(_("Not an e-mail address with a domain under a known top-level domain."))
        return result
    if kind in ("md5", "sha1", "sha256"):
        length = {"md5": 32, "sha1": 40, "sha256": 64}[kind]
        if not re.fullmatch(r"[0-9A-Fa-f]{%d}" % length, raw):  # noqa: UP031
            raise ValueError(_("This hash must be exactly %(n)s hexadecimal characters.") % {"n": length})
        return raw.lower()
    if kind == "file_name":
        result = _file_name(raw)
        if result is None:
            raise ValueError(_("Not a file name with an executable, script, document or archive extension."))
        return result
    raise ValueError(_("Unknown kind of indicator."))


def defang(value: str, kind: str = "") -> str:
    """A value made safe to show or send: not a clickable link, not a resolvable name.
    Hashes are returned unchanged; everything else has its dots (and @, ://, IPv6 colons) bracketed."""
    if kind in ("md5", "sha1", "sha256") or (not kind and re.fullmatch(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|"
                                                                       r"[0-9a-fA-F]{64}", value)):
        return value
    if kind == "file_name":
        return value.replace(".", "[.]")
    match = re.match(r"([a-zA-Z]+)://(.*)", value, re.DOTALL)
    if match:
        scheme, rest = match.groups()
        scheme = re.sub(r"(?i)^http", "hxxp", scheme)
        host, sep, path = rest.partition("/")
        return f"{scheme}[://]{host.replace('.', '[.]')}{sep}{path}"
    if ":" in value and _ip(value):
        return value.replace(":", "[:]")
    return value.replace("@", "[@]").replace(".", "[.]")
