"""Serving evidence: always as an attachment, never for the browser to open; malware only inside an
encrypted ZIP.

The bytes served are read from the same open file that the custody check hashed, so what is sent is
what was checked.
"""

import tempfile
from pathlib import Path

import pyzipper
from django.conf import settings
from django.http import FileResponse

from ungcuu.evidence import actions, store
from ungcuu.evidence.models import CustodyAction, EvidenceFile

# The convention of malware exchange: every analyst's tools know it, and it only keeps the sample
# from being opened or scanned by accident — it is not a secret.
ZIP_PASSWORD = "infected"
CHUNK = store.CHUNK
ZIP64_FROM = 2**31 - 1


def _attachment(filelike, filename: str) -> FileResponse:
    response = FileResponse(filelike, as_attachment=True, filename=filename,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # Belt and braces should a browser render it anyway: no scripts, no plugins, no same-origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def zip_sample(evidence: EvidenceFile, source):
    """An AES-encrypted ZIP (password ZIP_PASSWORD) holding the sample under its original name, built
    in an anonymous temporary file (removed when closed)."""
    target = tempfile.TemporaryFile(dir=_temp_dir())  # noqa: SIM115 -- closed by the response once sent
    try:
        with pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED,
                                 encryption=pyzipper.WZ_AES) as archive:
            archive.setpassword(ZIP_PASSWORD.encode())
            source.seek(0)
            # Cleaned again: files that came with a report were named before this module saw them.
            name = actions.clean_file_name(evidence.original_name)
            with archive.open(name, "w", force_zip64=evidence.size >= ZIP64_FROM) as out:
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    out.write(chunk)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target


def _temp_dir() -> Path:
    # Next to the store rather than in a shared /tmp: same disk, same permissions as the evidence.
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def download(*, actor, evidence: EvidenceFile) -> FileResponse:
    """Check and log the download, then the response: the file itself, or a malware sample zipped.

    Raises ValidationError (nothing served) when the stored bytes no longer match their SHA-256.
    """
    try:
        source = store.open_blob(evidence.sha256)
    except FileNotFoundError:
        source = None
    try:
        actions.record_access(actor=actor, evidence=evidence, action=CustodyAction.DOWNLOADED, source=source)
        if evidence.is_malware:
            packed = zip_sample(evidence, source)
            source.close()
            return _attachment(packed, f"{actions.clean_file_name(evidence.original_name)}.zip")
    except BaseException:
        if source is not None:
            source.close()
        raise
    return _attachment(source, actions.clean_file_name(evidence.original_name))
