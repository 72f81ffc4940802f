"""The content-addressed file store: bytes saved once under their SHA-256, never served directly."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


def path_of(sha256: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / sha256[:2] / sha256[2:4] / sha256


def _too_large(name: str) -> ValidationError:
    # filesizeformat: a limit below 1 MB (tests, small deployments) must not read "0 MB".
    return ValidationError(_("The file “%(name)s” is larger than the %(limit)s limit.")
                           % {"name": name, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}, code="too_large")


def save(fileobj, name: str = "") -> StoredBlob:
    """Stream a file into the store, hashing as it goes; refuse it past EVIDENCE_MAX_BYTES.

    The bytes reach disk (fsync) before this returns, so a row referring to them can be committed.
    """
    size_hint = getattr(fileobj, "size", None)
    if size_hint is not None and size_hint > settings.EVIDENCE_MAX_BYTES:
        raise _too_large(name)
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            chunks = fileobj.chunks(CHUNK) if hasattr(fileobj, "chunks") else iter(lambda: fileobj.read(CHUNK), b"")
            for chunk in chunks:
                size += len(chunk)
                if size > settings.EVIDENCE_MAX_BYTES:
                    raise _too_large(name)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        target = path_of(sha)
        if target.exists():
            os.unlink(temp_name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)
            os.chmod(target, 0o440)
            # The new name, and the folders made for it, survive a crash only once their folders are synced.
            for folder in (target.parent, target.parent.parent, root):
                _fsync_folder(folder)
        return StoredBlob(sha256=sha, size=size)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def save_bytes(data: bytes, name: str = "") -> StoredBlob:
    import io

    return save(io.BytesIO(data), name)


def hash_file(handle) -> str:
    """The SHA-256 of an open binary file from its start; leaves it positioned at the start again."""
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def rehash(sha256: str) -> str | None:
    """The SHA-256 of the stored bytes now, or None when the file is gone."""
    try:
        with open_blob(sha256) as source:
            return hash_file(source)
    except FileNotFoundError:
        return None


def open_blob(sha256: str):
    return open(path_of(sha256), "rb")
