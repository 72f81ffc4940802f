"""Indicator extraction, refanging, validation and defanging (SPEC §7: indicators extracted from text)."""

import pytest
from django.utils import translation

from ungcuu.investigation.indicators import defang, extract, normalise, refang


@pytest.fixture(autouse=True)
def english():
    """The messages below are compared with their English source text; the default language is Vietnamese."""
    with translation.override("en"):
        yield


# (text, the indicators expected, in order of appearance)
EXTRACTION = [
    # Defanged URLs: the URL and its host
    ("hxxps://evil[.]example[.]com/login.php?id=1", [("url", "https://evil.example.com/login.php?id=1"),
                                                     ("domain", "evil.example.com")]),
    ("hXXp[://]phish(.)gov-vn(.)top/a", [("url", "http://phish.gov-vn.top/a"), ("domain", "phish.gov-vn.top")]),
    ("Link (hxxp://198.51.100[.]7:8080/x).", [("url", "http://198.51.100.7:8080/x"), ("ip", "198.51.100.7")]),
    ("HTTPS://Evil.Example.COM/Path", [("url", "https://evil.example.com/Path"), ("domain", "evil.example.com")]),
    # Domains, including spaces around the marks, {.} and [dot], IDNA
    ("tên miền malware [.] top và update{.}windows{dot}xyz", [("domain", "malware.top"),
                                                              ("domain", "update.windows.xyz")]),
    ("Trang giả mạo bücher.vn", [("domain", "xn--bcher-kva.vn")]),
    ("Trailing dot: evil.com.", [("domain", "evil.com")]),
    # IPs
    ("kết nối tới 203.0.113[.]45 rồi 203[.]0[.]113[.]46", [("ip", "203.0.113.45"), ("ip", "203.0.113.46")]),
    ("IPv6 2001:DB8::5 và 2001:db8[:]:6", [("ip", "2001:db8::5"), ("ip", "2001:db8::6")]),
    # E-mails
    ("từ Attacker [at] evil-mail [dot] com, (at) và [@]: a(at)b[.]vn, c[@]d.vn",
     [("email", "attacker@evil-mail.com"), ("email", "a@b.vn"), ("email", "c@d.vn")]),
    # Hashes by length, lower-cased
    ("MD5 D41D8CD98F00B204E9800998ECF8427E", [("md5", "d41d8cd98f00b204e9800998ecf8427e")]),
    ("SHA1 da39a3ee5e6b4b0d3255bfef95601890afd80709", [("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]),
    ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     [("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]),
    # File names, from paths too
    (r"C:\Users\a\AppData\invoice.pdf.exe và hoadon.zip, báo_cáo.docx",
     [("file_name", "invoice.pdf.exe"), ("file_name", "hoadon.zip"), ("file_name", "báo_cáo.docx")]),
    ("/tmp/.x/run.sh", [("file_name", "run.sh")]),
    # Duplicates once
    ("evil.com evil[.]com EVIL.COM", [("domain", "evil.com")]),
]

# Text that holds no indicator although it looks like one.
FALSE_POSITIVES = [
    "phiên bản 10.2.3.4",                 # a version number, not an IP
    "Apache version 2.4.49.1 và v1.2.3.4",  # versions
    "1.2.3.4.5",                           # a longer dotted number
    "999.1.1.1",                           # not an IPv4 address
    "lúc 08:30:00 ngày 20/11",             # a time, not IPv6
    "MAC 00:1a:2b:3c:4d:5e",               # a MAC address
    "127.0.0.1 và 0.0.0.0 và ::1",          # loopback and unspecified
    "số 12345678901234567890123456789012",  # 32 digits: a number, not a hash
    "abcdef1234",                          # too short for a hash
    "TP.HCM, v.v., Node.js, ASP.NET",       # abbreviations and product names
    "report.final và hệ thống.Sau đó",     # no real TLD
    "hxxp://evil.notatld/x",                # URL whose host has no real TLD
    "the word dot and at in prose",        # bare words are not defanging marks
]


@pytest.mark.parametrize(("text", "expected"), EXTRACTION)
def test_extract_finds_refanged_normalised_indicators(text, expected):
    assert extract(text) == expected


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_extract_refuses_false_positives(text):
    assert extract(text) == []


def test_a_file_name_is_not_a_domain_even_when_its_extension_is_a_tld():
    """.zip and .sh are TLDs, but in a report "invoice.zip" is a file."""
    assert extract("gửi kèm invoice.zip và setup.sh") == [("file_name", "invoice.zip"), ("file_name", "setup.sh")]


def test_an_email_or_url_host_is_not_extracted_again_as_a_domain_or_file():
    assert extract("admin@his.example.vn") == [("email", "admin@his.example.vn")]
    assert ("file_name", "payload.exe") not in extract("hxxp://x.com/payload.exe")


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("ip", "203.0.113[.]9", "203.0.113.9"),
    ("ip", "2001:DB8:0:0::1", "2001:db8::1"),
    ("domain", "Evil[.]COM", "evil.com"),
    ("domain", "thươngmại.vn", "xn--thngmi-4wb3jz441a.vn"),
    ("url", "hxxps[://]evil[.]com/a b", "https://evil.com/a b"),
    ("email", "Ann [at] Evil [dot] com", "ann@evil.com"),
    ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
    ("file_name", r"C:\Temp\Hóa đơn.exe", "Hóa đơn.exe"),
])
def test_normalise_accepts_values_typed_by_hand(kind, value, expected):
    assert normalise(kind, value) == expected


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("ip", "127.0.0.1", "loopback"),
    ("ip", "1.2.3", "IP address"),
    ("domain", "report.final", "top-level domain"),
    ("url", "evil.com/path", "starts with http"),
    ("email", "nobody", "e-mail address"),
    ("sha256", "abc", "64 hexadecimal"),
    ("file_name", "notes.txt", "extension"),
    ("colour", "red", "Unknown kind"),
    ("ip", "   ", "Enter a value"),
])
def test_normalise_refuses_values_of_the_wrong_kind_with_a_clear_message(kind, value, message):
    with pytest.raises(ValueError, match=message):
        normalise(kind, value)


@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("https://evil.example.com/a.php", "url", "hxxps[://]evil[.]example[.]com/a.php"),
    ("203.0.113.5", "ip", "203[.]0[.]113[.]5"),
    ("2001:db8::1", "ip", "2001[:]db8[:][:]1"),
    ("a@b.vn", "email", "a[@]b[.]vn"),
    ("evil.com", "domain", "evil[.]com"),
    ("d41d8cd98f00b204e9800998ecf8427e", "md5", "d41d8cd98f00b204e9800998ecf8427e"),
])
def test_defang_makes_values_safe_to_show_and_refang_undoes_it(value, kind, expected):
    assert defang(value, kind) == expected
    assert refang(defang(value, kind)) == value


def test_an_idna_domain_is_shown_in_its_readable_form():
    from ungcuu.investigation.indicators import unicode_domain

    assert unicode_domain(normalise("domain", "thươngmại.vn")) == "thươngmại.vn"
