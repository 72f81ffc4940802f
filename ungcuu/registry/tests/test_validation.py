"""Bad registry input gets a clear Vietnamese error and nothing is half-saved."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ungcuu.audit.models import AuditEntry
from ungcuu.registry import actions
from ungcuu.registry.models import InformationSystem, Organisation, SystemDomain, SystemNetwork


def counts():
    return (InformationSystem.objects.count(), SystemNetwork.objects.count(), SystemDomain.objects.count(),
            Organisation.objects.count(), AuditEntry.objects.count())


def has_vietnamese(text: str) -> bool:
    return any(ch in text for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ")


def new_system(province, **overrides):
    fields = {"name": "Cổng dịch vụ", "owner": province.health, "operator": province.health, "level": 2,
              "ip_ranges": ["192.0.2.0/28"], "domains": ["dichvu.example.vn"]}
    fields.update(overrides)
    return actions.create_system(actor=province.officer, **fields)


# Each case: the bad input, the field that must carry the error. Messages must be in Vietnamese.
BAD_SYSTEM_INPUT = [
    ({"ip_ranges": ["192.0.2.0/28", "10.0.0.300/24"]}, "ip_ranges"),
    ({"ip_ranges": ["192.0.2.0/33"]}, "ip_ranges"),
    ({"ip_ranges": ["192.0.2.5/28"]}, "ip_ranges"),      # host bits set: not silently widened
    ({"ip_ranges": ["0.0.0.0/0"]}, "ip_ranges"),         # would capture everyone's addresses
    ({"ip_ranges": ["2001:db8::/16"]}, "ip_ranges"),
    ({"domains": ["gov.vn"]}, "domains"),                 # shared by every agency
    ({"domains": ["203.0.113.9"]}, "domains"),           # an address is not a domain
    ({"level": 7}, "level"),
    ({"level": 0}, "level"),
    ({"level": "ba"}, "level"),
    ({"domains": ["his.example.vn"]}, "domains"),        # already registered to the HIS
    ({"domains": ["HIS.Example.VN."]}, "domains"),       # the same domain, written differently
    ({"domains": ["not a domain"]}, "domains"),
    ({"owner": 999999}, "owner"),
    ({"operator": None}, "operator"),
    ({"level_status": "approved", "level_approved_on": None}, "level_approved_on"),
    ({"services": ["telnet"]}, "services"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_SYSTEM_INPUT)
def test_bad_system_input_is_refused_whole(province, overrides, field):
    before = counts()
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        new_system(province, **overrides)
    messages = caught.value.message_dict
    assert field in messages
    assert has_vietnamese(" ".join(messages[field])), messages[field]
    assert counts() == before


def test_failed_update_keeps_what_was_stored(province):
    """A failed change leaves the stored system, its addresses and the audit log as they were."""
    before = counts()
    with pytest.raises(ValidationError):
        actions.update_system(actor=province.officer, system=province.his, name="Đổi tên",
                              ip_ranges=["bad"], domains=["ngansach.example.vn"])
    his = InformationSystem.objects.get(pk=province.his.pk)
    assert his.name == "HIS bệnh viện"
    assert his.ip_ranges() == ["198.51.100.0/28"]
    assert his.domain_names() == ["his.example.vn"]
    assert counts() == before


def test_unknown_parent_is_refused(province):
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        actions.create_organisation(actor=None, name="Phòng mới", kind="provincial_agency", parent=424242)
    assert has_vietnamese(caught.value.message_dict["parent"][0])
    assert not Organisation.objects.filter(name="Phòng mới").exists()


def test_organisation_cannot_be_moved_under_its_own_unit(province):
    with pytest.raises(ValidationError) as caught:
        actions.update_organisation(actor=None, organisation=province.health, parent=province.hospital)
    assert "parent" in caught.value.message_dict
    assert Organisation.objects.get(pk=province.health.pk).parent_id == province.province.pk


def test_duplicate_name_under_the_same_parent_is_refused(province):
    with pytest.raises(ValidationError) as caught:
        actions.create_organisation(actor=None, name="sở y tế", kind="provincial_agency", parent=province.province)
    assert "name" in caught.value.message_dict


def test_unknown_kind_is_refused(province):
    with pytest.raises(ValidationError) as caught:
        actions.create_organisation(actor=None, name="X", kind="martian")
    assert "kind" in caught.value.message_dict


def test_moving_an_organisation_moves_its_subtree(province):
    """After a move, the units below follow: the hospital is now under finance's tree."""
    actions.update_organisation(actor=None, organisation=province.health, parent=province.finance)
    hospital = Organisation.objects.get(pk=province.hospital.pk)
    finance = Organisation.objects.get(pk=province.finance.pk)
    assert hospital.path.startswith(finance.path)
    assert Organisation.objects.subtree_of(finance).filter(pk=hospital.pk).exists()


def test_addresses_are_normalised(province):
    system = new_system(province, ip_ranges=["192.0.2.0/28", "2001:db8::/64", "192.0.2.9"],
                        domains=["https://Dịch-Vụ.example.vn/path", "*.wild.example.vn"])
    assert system.ip_ranges() == ["192.0.2.0/28", "192.0.2.9/32", "2001:db8::/64"]
    assert sorted(system.domain_names()) == ["wild.example.vn", "dịch-vụ.example.vn".encode("idna").decode()]
