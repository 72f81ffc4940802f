"""A real IMAP server for the tests: Debian's Dovecot, started with a throw-away configuration.

It listens on free ports of 127.0.0.1 (IMAPS, and IMAP with STARTTLS) with a self-signed certificate
made here, users from a passwd-file and maildirs in a temporary folder. Without `dovecot` the tests
skip, unless UNGCUU_REQUIRE_BROWSER=1 (CI), where they fail.
"""

import datetime
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "mat-khau-thu"
USERS = [f"team{i}" for i in range(1, 13)]


@dataclass
class Dovecot:
    host: str
    imaps_port: int
    imap_port: int
    ca_file: str

    def client(self, user: str) -> imaplib.IMAP4_SSL:
        conn = imaplib.IMAP4_SSL(self.host, self.imaps_port,
                                 ssl_context=ssl.create_default_context(cafile=self.ca_file))
        conn.login(user, PASSWORD)
        return conn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _accounts() -> tuple[str, str, int, int]:
    """(login user, internal user, mail uid, mail gid): Dovecot refuses to run its login processes as root
    and to give mail to uid 0, so as root the package's own users serve."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, os.geteuid(), os.getegid()
    login = "dovenull" if _user_exists("dovenull") else "nobody"
    internal = "dovecot" if _user_exists("dovecot") else "nobody"
    mail = pwd.getpwnam(internal)
    return login, internal, mail.pw_uid, mail.pw_gid


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def start():
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if binary is None:
        if os.environ.get("UNGCUU_REQUIRE_BROWSER") == "1":
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd); required when "
                        "UNGCUU_REQUIRE_BROWSER=1")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no real IMAP server to test against")
    folder = Path(tempfile.mkdtemp(prefix="ungcuu-dovecot-"))
    folder.chmod(0o755)  # the login processes run as another user and must reach the sockets
    cert, key = _certificate(folder)
    login_user, internal_user, uid, gid = _accounts()
    (folder / "passwd").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in USERS))
    home = folder / "home"
    home.mkdir()
    os.chown(home, uid, gid) if os.geteuid() == 0 else None
    for path in (cert, key, folder / "passwd"):
        path.chmod(0o644)
    imaps_port, imap_port = _free_port(), _free_port()
    config = folder / "dovecot.conf"
    config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  chroot =
}}
""")
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = Dovecot("127.0.0.1", imaps_port, imap_port, str(cert))
    deadline = time.monotonic() + 20
    while True:
        try:
            server.client(USERS[0]).logout()
            break
        except (OSError, imaplib.IMAP4.error):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = (folder / "dovecot.log").read_text() if (folder / "dovecot.log").exists() else ""
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                shutil.rmtree(folder, ignore_errors=True)
                pytest.fail(f"Dovecot did not start:\n{output}\n{log}")
            time.sleep(0.2)
    return process, server, folder


def stop(process, folder) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(folder, ignore_errors=True)
