"""The register of official documents issued by the team (Nghị định 30/2020/NĐ-CP; TT 20/2017 Biểu mẫu 03, 04).

Every document has its number and symbol ("05/BC-ĐƯCSC"), numbered per issuer from 01 each calendar year
(NĐ 30 Điều 15), and its DOCX and PDF kept in the content-addressed store with their SHA-256. Re-issuing
makes a new version that supersedes the old one; the old one stays in the register.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import OVERSIGHT_ROLES, TRIAGE_ROLES
from ungcuu.registry.models import Organisation


class DocumentKind(models.TextChoices):
    INITIAL_REPORT = "initial_report", _("Initial report (Biểu mẫu 03)")
    PROGRESS_REPORT = "progress_report", _("Progress report")
    RESPONSE_OPTION_REPORT = "response_option_report", _("Response-option report")
    DIRECTION_REQUEST = "direction_request", _("Request for direction")
    SUPPORT_REQUEST = "support_request", _("Request for support")
    FINAL_REPORT = "final_report", _("Final report (Biểu mẫu 04)")
    COORDINATION_ORDER = "coordination_order", _("Coordination order (Biểu mẫu 06)")


class SignaturePrefix(models.TextChoices):
    """How the signer signs (NĐ 30/2020 Điều 13)."""

    NONE = "", _("The head signs")
    KT = "KT.", _("KT. (signing for the head)")
    TM = "TM.", _("TM. (on behalf of a collective body)")
    TL = "TL.", _("TL. (by order)")
    TUQ = "TUQ.", _("TUQ. (by written authorisation)")


class DocumentCounter(models.Model):
    """The last number issued per issuer and year; locked while a number is taken (gap-free, NĐ 30 Điều 15)."""

    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="document_counter_issuer_year")]

    def __str__(self):
        return f"{self.issuer_id}/{self.year}: {self.last}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The team sees the whole register; oversight roles the documents of the incidents they may see."""
        if not user.is_authenticated:
            return self.none()
        if user.has_any_role(*TRIAGE_ROLES):
            return self
        if user.has_any_role(*OVERSIGHT_ROLES):
            from ungcuu.incidents.models import Incident

            return self.filter(Q(incident__isnull=True) | Q(incident__in=Incident.objects.visible_to(user)))
        return self.none()

    def current(self):
        """Documents not superseded by a re-issue."""
        return self.filter(superseded_by__isnull=True)


class Document(models.Model):
    """One issued document: its number, date, signer, recipients and files (the register)."""

    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="documents")
    issuer = models.ForeignKey(Organisation, verbose_name=_("issued by"), on_delete=models.PROTECT,
                               related_name="documents")
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    symbol = models.CharField(_("symbol"), max_length=50)
    reference = models.CharField(_("number and symbol"), max_length=80, editable=False)
    issued_on = models.DateField(_("dated"))
    place = models.CharField(_("place"), max_length=100)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.JSONField(_("content"), default=dict, editable=False)  # what was rendered, for re-rendering
    signer_name = models.CharField(_("signer"), max_length=200)
    signer_title = models.CharField(_("signer's title"), max_length=200)
    signature_prefix = models.CharField(_("signature"), max_length=10, blank=True, choices=SignaturePrefix.choices)
    signer_authority = models.CharField(_("title of the head signed for"), max_length=200, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    docx_sha256 = models.CharField(max_length=64)
    docx_size = models.PositiveIntegerField(default=0)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField(default=0)
    pdf_signed = models.BooleanField(_("digitally signed"), default=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField("self", verbose_name=_("supersedes"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    # A coordination order's document carries the order's own number (one sequence per issuer).
    # Marked sent: the entry it made in the incident's register of reports sent (meets the report deadlines).
    sent_report = models.OneToOneField("incidents.IncidentReport", verbose_name=_("sent"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="document")
    order = models.OneToOneField("coordination.CoordinationOrder", verbose_name=_("coordination order"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="document")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # Number 0 is provisional: a document is numbered last in its transaction (see actions.issue_document).
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "number"], condition=Q(number__gt=0),
                                               name="document_number_per_issuer_year")]
        indexes = [
            models.Index(fields=["incident", "kind"], name="document_incident_kind"),
            models.Index(fields=["-issued_on", "-id"], name="document_issued"),
            models.Index(fields=["kind", "-issued_on"], name="document_kind_issued"),
        ]

    def __str__(self):
        return self.reference

    @staticmethod
    def format_reference(number: int, symbol: str) -> str:
        """Số/ký hiệu as NĐ 30/2020 Phụ lục I writes it: at least two digits, "05/BC-ĐƯCSC"."""
        return f"{number:02d}/{symbol}"

    @property
    def file_stem(self) -> str:
        return f"{self.reference.replace('/', '-')}_v{self.version}"
