import pytest

from ungcuu.incidents.tests.helpers import make_incident


@pytest.fixture
def incident(province):
    return make_incident(province.reporter)
