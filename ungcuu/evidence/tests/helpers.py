"""Files to upload and a way to damage a stored one."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ungcuu.evidence import store

LOG_BYTES = b"2026-11-20 08:31:02 sshd[812]: Failed password for root from 203.0.113.9\n" * 20
SAMPLE_BYTES = b"MZ\x90\x00" + bytes(range(256)) * 8 + b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR"


def upload(name="auth.log", data=LOG_BYTES, content_type="text/plain"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def tamper(evidence) -> None:
    """Change one byte of the stored file, as someone with disk access might."""
    path = store.path_of(evidence.sha256)
    path.chmod(0o640)
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    path.write_bytes(bytes(data))


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
