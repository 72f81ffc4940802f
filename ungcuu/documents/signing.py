"""The organisation's digital signature on issued PDFs (PAdES, pyHanko), when a PKCS#12 file is configured.

Settings: DOCUMENTS_SIGNING_P12 (path of the .p12/.pfx file) and DOCUMENTS_SIGNING_PASSWORD.
"""

import io
from pathlib import Path

from django.conf import settings


def configured() -> bool:
    return bool(getattr(settings, "DOCUMENTS_SIGNING_P12", ""))


def _signer():
    from pyhanko.sign import signers

    password = getattr(settings, "DOCUMENTS_SIGNING_PASSWORD", "") or ""
    signer = signers.SimpleSigner.load_pkcs12(Path(settings.DOCUMENTS_SIGNING_P12),
                                              passphrase=password.encode() if password else None)
    if signer is None:
        raise RuntimeError("DOCUMENTS_SIGNING_P12 could not be read with DOCUMENTS_SIGNING_PASSWORD")
    return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    """The PDF with an invisible PAdES signature of the organisation's certificate."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Signature1", reason=reason[:200], location=location,
                                        subfilter=SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=_signer()).sign_pdf(writer, output=out)
    return out.getvalue()
