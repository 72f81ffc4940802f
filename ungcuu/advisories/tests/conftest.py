import pytest

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.registry import actions as registry_actions


@pytest.fixture
def software(province):
    """The province with software registered on its systems, e-mail addresses, and a third agency with a system.

    health runs HIS on Ubuntu + PostgreSQL; the hospital runs a lab system on "postgresql 15" (lower case);
    finance runs the budget system on Windows + Microsoft SQL Server; education runs a portal on IIS.
    """
    p = province
    p.his = registry_actions.update_system(actor=None, system=p.his,
                                           os_versions="Ubuntu Server 22.04 LTS; PostgreSQL 14")
    p.budget = registry_actions.update_system(actor=None, system=p.budget,
                                              os_versions="Windows Server 2019; Microsoft SQL Server 2019")
    p.lab = registry_actions.create_system(actor=None, name="Xét nghiệm", owner=p.hospital, operator=p.hospital,
                                           level=2, os_versions="Debian 12\npostgresql 15")
    p.education = registry_actions.create_organisation(actor=None, name="Sở Giáo dục", kind="provincial_agency",
                                                       parent=p.province, email="sogd@example.vn")
    p.portal = registry_actions.create_system(actor=None, name="Cổng Sở Giáo dục", owner=p.education,
                                              operator=p.education, level=2, os_versions="Windows Server 2016; IIS 10")
    p.health = registry_actions.update_organisation(actor=None, organisation=p.health, email="soyte@example.vn")

    def user(name, organisation, *roles):
        return account_actions.create_user(actor=None, username=name, password=None, full_name=name.title(),
                                           email=f"{name}@example.vn", organisation=organisation, roles=list(roles))

    p.health_it = user("health_it", p.health, Role.SYSTEM_OWNER)
    p.hospital_it = user("hospital_it", p.hospital, Role.REPORTER)
    p.finance_it = user("finance_it", p.finance, Role.SYSTEM_OWNER)
    p.education_it = user("education_it", p.education, Role.SYSTEM_OWNER)
    return p
