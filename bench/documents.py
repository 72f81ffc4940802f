"""Time to issue (build, render DOCX and PDF, store) one official document, on the demo data.

    .venv/bin/python bench/documents.py [--repeat 10]          # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_documents .venv/bin/python bench/documents.py

Rendering is CPU work: the database only numbers and registers the document, so the figure hardly depends on
the number of incidents. Each issue goes through `ungcuu.documents.actions.issue_document`; the DOCX and PDF
renderings are also timed alone.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORK = Path(tempfile.mkdtemp(prefix="bench-documents-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("EVIDENCE_ROOT", str(WORK / "evidence"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from ungcuu import demo  # noqa: E402
from ungcuu.accounts.models import User  # noqa: E402
from ungcuu.documents import actions, content, render  # noqa: E402
from ungcuu.incidents.models import Incident  # noqa: E402

SIGNER = {"signer_name": "Nguyễn Văn An", "signer_title": "Đội trưởng",
          "recipients": ["Sở Y tế", "VNCERT/CC", "Lưu: VT"]}


def timed(call, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    demo.load()
    lead = User.objects.get(username="doitruong")
    incident = Incident.objects.get(description__startswith="Cán bộ nhận thư điện tử giả mạo")  # closed in the demo
    actions.issue_document(actor=lead, kind="initial_report", incident=incident, **SIGNER)
    rows = []
    for kind in ("initial_report", "final_report"):
        median, worst = timed(lambda kind=kind: actions.issue_document(actor=lead, kind=kind, incident=incident,
                                                                        **SIGNER), args.repeat)
        rows.append((f"`issue_document` {kind} (build, DOCX, PDF, store, register)", median, worst))
    document = incident.documents.filter(kind="final_report").last()
    context = actions._build(document, incident, content.BUILDERS["final_report"](incident))
    rows.append(("DOCX rendering alone, final report",
                 *timed(lambda: render.render_docx("final_report", context), args.repeat)))
    rows.append(("PDF rendering alone, final report", *timed(lambda: render.render_pdf(context), args.repeat)))
    print(f"{connection.vendor}, {args.repeat} runs each\n\n| measure | median | max |\n|---|---|---|")
    for label, median, worst in rows:
        print(f"| {label} | {median:.0f} ms | {worst:.0f} ms |")


if __name__ == "__main__":
    main()
