"""`ungcuu plans list [--unapproved]`."""

from io import StringIO

from django.core.management import call_command

from ungcuu.plans import actions
from ungcuu.plans.tests.helpers import approved_plan


def test_plans_list_shows_each_version_and_unapproved_only_the_drafts(province):
    plan = approved_plan(province)
    actions.new_version(actor=province.owner, plan=plan)
    out = StringIO()
    call_command("plans", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "12/QĐ-SYT" in lines[1] and "HIS bệnh viện" in lines[0]
    out = StringIO()
    call_command("plans", "list", "--unapproved", stdout=out)
    assert [line.split("\t")[1:3] for line in out.getvalue().splitlines()] == [["v2", "draft"]]
