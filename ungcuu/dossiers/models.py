"""The network-member dossier, TT 20/2017 Biểu mẫu 01 (SPEC §9).

"Bản khai hồ sơ thành viên mạng lưới ứng cứu sự cố": sections 1–8 of the form. TT 20 Điều 5.3: updated
yearly; Điều 6.1.b: the 24/7 focal point ("Đầu mối ứng cứu sự cố") changes are sent to the national
coordinator within 24 hours.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Who keeps the dossiers: the standing office and the leads (the same roles manage deadlines without an
# incident in the deadline engine).
EDITOR_ROLES = ("administrator", "standing_officer", "team_lead", "deputy_lead")
UPDATE_PERIOD_MONTHS = 12


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29/02
        return day.replace(year=day.year + 1, day=28)


class DossierQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The team and oversight see every dossier; others only those of their own organisation."""
        from ungcuu.registry.models import PROVINCE_WIDE_ROLES

        if user.has_any_role(*PROVINCE_WIDE_ROLES):
            return self
        if user.organisation_id is None:
            return self.none()
        return self.filter(organisation_id=user.organisation_id)


class Dossier(models.Model):
    """One member organisation's Biểu mẫu 01: its details, reception contact, capabilities, systems, staff."""

    organisation = models.OneToOneField("registry.Organisation", verbose_name=_("organisation"),
                                        on_delete=models.PROTECT, related_name="dossier")
    member_code = models.CharField(_("network member code"), max_length=50, blank=True)
    # 1. The organisation
    name = models.CharField(_("name of the organisation"), max_length=300)
    parent_body = models.CharField(_("governing body"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    security_leader = models.CharField(_("leader in charge of information security"), max_length=200, blank=True)
    security_leader_position = models.CharField(_("position of the leader"), max_length=200, blank=True)
    # 2. Where incident notices are received
    reception_address = models.CharField(_("reception address"), max_length=300, blank=True)
    reception_landline = models.CharField(_("reception landline"), max_length=50, blank=True)
    reception_mobile = models.CharField(_("reception mobile"), max_length=50, blank=True)
    reception_fax = models.CharField(_("reception fax"), max_length=50, blank=True)
    reception_email = models.EmailField(_("reception e-mail"), blank=True)
    # 4. Capabilities
    capabilities = models.TextField(_("capabilities"), blank=True)
    # 5. Systems in charge (their level comes from the registry)
    systems = models.ManyToManyField("registry.InformationSystem", verbose_name=_("systems in charge"), blank=True,
                                     related_name="+")
    # 7. Security staff by group
    staff_management = models.PositiveIntegerField(_("security management"), default=0)
    staff_defence = models.PositiveIntegerField(_("defence against attacks"), default=0)
    staff_protection = models.PositiveIntegerField(_("system and application protection"), default=0)
    staff_assessment = models.PositiveIntegerField(_("security testing and assessment"), default=0)
    # TT 20 Điều 5.3: "định kỳ cập nhật hàng năm".
    confirmed_on = models.DateField(_("last confirmed up to date"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["confirmed_on"], name="dossier_confirmed")]
        verbose_name = _("member dossier")
        verbose_name_plural = _("member dossiers")

    def __str__(self):
        return self.name

    @property
    def update_due_on(self) -> date:
        """A year after the last confirmation; a dossier never confirmed is due from its creation."""
        if self.confirmed_on is None:
            return timezone.localdate(self.created_at)
        return _a_year_after(self.confirmed_on)

    def update_due(self, today: date | None = None) -> bool:
        """Whether the yearly update is due: never confirmed, or last confirmed more than 12 months ago."""
        today = today or timezone.localdate()
        return self.confirmed_on is None or self.update_due_on < today

    @property
    def staff_total(self) -> int:
        return self.staff_management + self.staff_defence + self.staff_protection + self.staff_assessment


class FocalPointRole(models.TextChoices):
    MAIN = "main", _("Main focal point")
    BACKUP = "backup", _("Backup focal point")


class FocalPoint(models.Model):
    """A 24/7 focal point of a dossier (section 3) over a period; the current one has no end."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="focal_points")
    role = models.CharField(_("role"), max_length=10, choices=FocalPointRole.choices)
    person = models.ForeignKey("registry.Person", verbose_name=_("person in the registry"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    landline = models.CharField(_("landline"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=50)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"))
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["role", "-since", "-pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "role"], condition=Q(until__isnull=True),
                                               name="dossier_one_current_focal_point_per_role")]
        indexes = [models.Index(fields=["dossier", "role", "until"], name="focal_point_current")]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")

    def __str__(self):
        return f"{self.get_role_display()}: {self.full_name}"


class NoticeMeans(models.TextChoices):
    OFFICIAL_LETTER = "letter", _("Official letter")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    COORDINATOR_SYSTEM = "system", _("The national coordinator's system")
    PHONE = "phone", _("Phone, then in writing")


class FocalPointChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(notified_at__isnull=True)


class FocalPointChange(models.Model):
    """A change of main or backup focal point, to notify the national coordinator within 24 hours
    (TT 20/2017 Điều 6.1.b) until someone records that the notice went out."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="focal_point_changes")
    role = models.CharField(_("role"), max_length=10, choices=FocalPointRole.choices)
    previous = models.ForeignKey(FocalPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new = models.ForeignKey(FocalPoint, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    notified_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    notice_means = models.CharField(_("sent by"), max_length=10, choices=NoticeMeans.choices, blank=True)
    notice_reference = models.CharField(_("reference of the notice"), max_length=200, blank=True)
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    objects = FocalPointChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["dossier", "notified_at"], name="focal_change_pending")]
        verbose_name = _("focal point change")
        verbose_name_plural = _("focal point changes")

    def __str__(self):
        return f"{self.get_role_display()} {self.changed_at:%d/%m/%Y %H:%M}"


class StaffEntry(models.Model):
    """Section 6: IT and security staff by training field, level and certificate."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="staff")
    field = models.CharField(_("field of training"), max_length=200)
    level = models.CharField(_("level of training"), max_length=100)
    certificate = models.CharField(_("certificates"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("number of people"), default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("staff entry")
        verbose_name_plural = _("staff entries")

    def __str__(self):
        return f"{self.field} – {self.level}: {self.count}"


class Expert(models.Model):
    """Section 8: an expert: name, school, speciality, degree or certificate, month/year of graduation."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="experts")
    full_name = models.CharField(_("full name"), max_length=200)
    school = models.CharField(_("school"), max_length=300, blank=True)
    speciality = models.CharField(_("speciality"), max_length=200, blank=True)
    degree = models.CharField(_("degree or certificate"), max_length=300, blank=True)
    graduated = models.CharField(_("graduated (mm/yyyy)"), max_length=7, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return self.full_name
