"""The hotline push's input (a call as the hotline's system records it) and its answer (number,
status and commune of the report: never its content)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from treem.cases.choices import CallerRelation, Channel, ChildSex, PublicStatus, Urgency
from treem.cases.models import Report
from treem.cases.services import report_public_status
from treem.children.identity import normalise_personal_id, validate_personal_id
from treem.core.scope import unit_in_scope
from treem.geo.models import Unit, UnitLevel

# The API's names of the fields the report service names otherwise (its messages are keyed so).
SERVICE_FIELDS = {
    "unit": "commune",
    "reporter_anonymous": "caller_anonymous",
    "reporter_name": "caller_name",
    "reporter_contact": "caller_contact",
}


class HotlineCallSerializer(serializers.Serializer):
    """One call, as the hotline's system recorded it."""

    external_id = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$",
        max_length=64,
        label=_("Call id in the sending system"),
        help_text=_(
            "The sending system's own id of the call (letters, digits and . _ : / -). Sent again, the "
            "same id returns the same report."
        ),
        error_messages={"invalid": _("The call id may hold only letters, digits and . _ : / -.")},
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, label=_("Channel"), help_text=_("Where the call came in.")
    )
    received_at = serializers.DateTimeField(
        label=_("Received at"), help_text=_("When the call was received, ISO 8601 with its offset.")
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, label=_("Urgency"))
    caller_relation = serializers.ChoiceField(
        choices=CallerRelation.choices, label=_("Caller's relation to the child")
    )
    caller_anonymous = serializers.BooleanField(default=False, label=_("The caller stays anonymous"))
    caller_name = serializers.CharField(max_length=150, required=False, default="", label=_("Caller's name"))
    caller_contact = serializers.CharField(
        max_length=255, required=False, default="", label=_("Caller's phone or address")
    )
    child_name = serializers.CharField(max_length=150, required=False, default="", label=_("Child's name"))
    child_sex = serializers.ChoiceField(choices=ChildSex.choices, default=ChildSex.UNKNOWN, label=_("Sex"))
    child_birth_year = serializers.IntegerField(
        min_value=1900, max_value=2200, required=False, allow_null=True, label=_("Child's year of birth")
    )
    child_age = serializers.IntegerField(
        min_value=0, max_value=30, required=False, allow_null=True, label=_("Age (estimate)")
    )
    child_id_number = serializers.CharField(
        max_length=20,
        required=False,
        default="",
        label=_("Child's ID number"),
        help_text=_("The 12-digit personal identification number, when the caller knows it."),
    )
    child_description = serializers.CharField(
        max_length=255,
        required=False,
        default="",
        label=_("Or describe the child"),
        help_text=_("When the name is not known: who the child is, where to find them."),
    )
    commune = serializers.CharField(
        max_length=10,
        label=_("Commune code"),
        help_text=_(
            "The code of the commune in force where it happened (or of the province while the commune "
            "is not known), within the units this client may report to."
        ),
    )
    place = serializers.CharField(
        max_length=255, required=False, default="", label=_("Place of the incident")
    )
    summary = serializers.CharField(max_length=200, label=_("What is it about, in a few words"))
    narrative = serializers.CharField(max_length=10000, required=False, default="", label=_("What happened"))

    def validate_commune(self, code: str) -> Unit:
        user = self.context["request"].user
        code = code.strip()
        unit = (
            Unit.objects.current()
            .filter(code=code, level__in=(UnitLevel.COMMUNE, UnitLevel.PROVINCE))
            .order_by("level", "pk")
            .first()
        )
        # Unknown and outside the client's units get the same answer: the code reveals nothing.
        if unit is None or not unit_in_scope(user, unit):
            raise serializers.ValidationError(
                _(
                    "No commune or province in force today has the code %(code)s among the units this "
                    "account may report to."
                )
                % {"code": code}
            )
        return unit

    def validate_child_id_number(self, value: str) -> str:
        value = normalise_personal_id(value)
        try:
            validate_personal_id(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def service_arguments(self) -> dict:
        """The validated call as the arguments of ``services.hotline_call_receive``."""
        data = dict(self.validated_data)
        return {
            "external_id": data.pop("external_id"),
            "unit": data.pop("commune"),
            "caller_relation": data.pop("caller_relation"),
            "urgency": data.pop("urgency"),
            "child_id_number": data.pop("child_id_number"),
            "reporter_anonymous": data.pop("caller_anonymous"),
            "reporter_name": data.pop("caller_name"),
            "reporter_contact": data.pop("caller_contact"),
            **data,
        }


class ReportStatusSerializer(serializers.ModelSerializer):
    """What the sender may know of its report: its tracking code, status and commune."""

    external_id = serializers.CharField(
        source="hotline_call.external_id", label=_("Call id in the sending system")
    )
    status = serializers.SerializerMethodField(label=_("Status"))
    status_label = serializers.SerializerMethodField(label=_("Status, in words"))
    commune = serializers.CharField(source="unit.code", label=_("Commune code"))
    commune_name = serializers.CharField(source="unit.name", label=_("Commune"))

    class Meta:
        model = Report
        fields = ["tracking_code", "external_id", "status", "status_label", "commune", "commune_name"]
        read_only_fields = fields

    def _status(self, report: Report) -> str:
        return report_public_status(report.tracking_code) or PublicStatus.RECEIVED

    @extend_schema_field(serializers.ChoiceField(choices=PublicStatus.choices))
    def get_status(self, report: Report) -> str:
        """received: waiting to be screened; handled: a case works on it; closed: its case is closed."""
        return str(self._status(report))

    def get_status_label(self, report: Report) -> str:
        return str(PublicStatus(self._status(report)).label)
