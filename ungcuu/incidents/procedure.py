"""The response procedure: the steps of TT 20/2017 Điều 11 (normal incidents, with seed 000's
"xử lý vi phạm") and of QĐ 05/2017 Điều 14 (serious incidents)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    # TT 20/2017/TT-BTTTT Điều 11 (normal incidents)
    RECEIVE_VERIFY = "receive_verify", _("1a. Receive and verify")
    INITIAL_RESPONSE = "initial_response", _("1b. Initial priority response")
    RESPONSE_OPTION = "response_option", _("1c. Choose the response option")
    DIRECTION = "direction", _("1d. Direction by the steering committee")
    REPORT = "report", _("1đ. Notify and report")
    COORDINATE = "coordinate", _("1e. Coordinate the response")
    CONTAIN = "contain", _("2. Contain, collect evidence, find the origin")
    ERADICATE = "eradicate", _("3a. Eradicate")
    RECOVER = "recover", _("3b. Recover")
    VERIFY_RECOVERY = "verify_recovery", _("3c. Verify the system after recovery")
    VIOLATIONS = "violations", _("Handle violations")
    CLOSE_OUT = "close_out", _("4. Close-out and lessons learned")
    # QĐ 05/2017/QĐ-TTg Điều 14 (serious incidents)
    SERIOUS_DETECT = "serious_detect", _("S1. Detect or receive the incident")
    SERIOUS_ASSESS = "serious_assess", _("S2. Verify, analyse, assess and classify")
    SERIOUS_PLAN = "serious_plan", _("S3. Decide the plan, convene the operations unit")
    SERIOUS_INITIAL = "serious_initial", _("S4. Initial response")
    SERIOUS_EMERGENCY = "serious_emergency", _("S5. Emergency response")
    SERIOUS_EVALUATE = "serious_evaluate", _("S6. Evaluate the results")
    SERIOUS_CLOSE = "serious_close", _("S7. Close")
    # Both paths end here: the final report is in and the record is closed.
    CLOSED = "closed", _("Closed")
