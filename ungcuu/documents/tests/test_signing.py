"""The organisation's PAdES signature on issued PDFs, with a certificate the test makes itself."""

import datetime
import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ungcuu.documents.models import Document
from ungcuu.documents.tests.helpers import issue, triaged
from ungcuu.evidence import store


def make_p12(path, password: bytes):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Đội ứng cứu sự cố tỉnh Thử nghiệm"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ucsc", key, cert, None, serialization.BestAvailableEncryption(password)))
    return cert


def test_a_signed_pdf_verifies_with_the_organisations_certificate(province, settings, tmp_path):
    cert = make_p12(tmp_path / "org.p12", b"mat-khau")
    settings.DOCUMENTS_SIGNING_P12 = str(tmp_path / "org.p12")
    settings.DOCUMENTS_SIGNING_PASSWORD = "mat-khau"
    document = issue(province, triaged(province))
    assert document.pdf_signed
    with store.open_blob(document.pdf_sha256) as handle:
        reader = PdfFileReader(io.BytesIO(handle.read()))
        [signature] = reader.embedded_signatures
        trust = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[trust]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "Đội ứng cứu sự cố" in status.signing_cert.subject.human_friendly


def test_without_a_certificate_the_pdf_is_not_signed(province, settings):
    settings.DOCUMENTS_SIGNING_P12 = ""
    document = issue(province, triaged(province))
    assert not document.pdf_signed
    with store.open_blob(document.pdf_sha256) as handle:
        assert not PdfFileReader(io.BytesIO(handle.read())).embedded_signatures


def test_a_wrong_password_fails_loudly_and_issues_nothing(province, settings, tmp_path):
    make_p12(tmp_path / "org.p12", b"mat-khau")
    settings.DOCUMENTS_SIGNING_P12 = str(tmp_path / "org.p12")
    settings.DOCUMENTS_SIGNING_PASSWORD = "sai"
    incident = triaged(province)
    with pytest.raises(Exception):  # noqa: B017 -- pyHanko or our RuntimeError, either way nothing issued
        issue(province, incident)
    assert not Document.objects.exists()
