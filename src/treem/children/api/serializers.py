"""Serializers of the child API: reading children, and the input of the register/update services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from treem.children.choices import DisabilityLevel, SchoolingStatus, Sex
from treem.children.identity import personal_id_findings
from treem.children.models import Caregiver, Child, CircumstanceMembership, Ethnicity, Household
from treem.geo.models import Unit, UnitLevel

READ_FIELDS = [
    "id",
    "url",
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "age",
    "personal_id",
    "ethnicity",
    "nationality",
    "birth_registered",
    "birth_registration_place",
    "commune",
    "village",
    "household",
    "school",
    "grade",
    "schooling_status",
    "health_insurance",
    "disability_type",
    "disability_level",
    "id_check_status",
    "id_checked_at",
    "is_active",
    "inactive_reason",
    "source",
    "source_key",
    "created_at",
    "updated_at",
]


class ChildSerializer(serializers.ModelSerializer):
    """A child in a list (without notes: they are shown only on an audited read of one child)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:child-detail")
    age = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = READ_FIELDS
        read_only_fields = fields

    def get_age(self, obj) -> int:
        return obj.age_on()


class CaregiverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Caregiver
        fields = ["id", "relationship", "full_name", "birth_year", "phone", "occupation", "lives_with_child"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    group_code = serializers.CharField(source="group.code", read_only=True)

    class Meta:
        model = CircumstanceMembership
        fields = ["id", "group", "group_code", "entered_on", "left_on", "reason", "left_reason", "source"]
        read_only_fields = fields


class IdFindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ChildDetailSerializer(ChildSerializer):
    """One child, with notes, ID-number findings, caregivers and special-circumstance history."""

    id_findings = serializers.SerializerMethodField()
    caregivers = serializers.SerializerMethodField()
    circumstances = serializers.SerializerMethodField()

    class Meta(ChildSerializer.Meta):
        fields = [*READ_FIELDS, "notes", "id_findings", "caregivers", "circumstances"]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_id_findings(self, obj) -> list[dict]:
        findings = personal_id_findings(obj.personal_id, sex=obj.sex, birth_year=obj.birth_year)
        return IdFindingSerializer(findings, many=True).data

    def get_caregivers(self, obj) -> list[dict]:
        qs = Caregiver.objects.restrict(self._user(), "view").filter(child=obj)
        return CaregiverSerializer(qs, many=True).data

    def get_circumstances(self, obj) -> list[dict]:
        qs = CircumstanceMembership.objects.restrict(self._user(), "view").filter(child=obj)
        return MembershipSerializer(qs.select_related("group"), many=True).data


class ChildWriteSerializer(serializers.Serializer):
    """Input of ``child_register`` (POST, with ``commune``) and ``child_update`` (PUT/PATCH, without).

    Related records are looked up among those the caller may see; the service checks the rest
    (village and household of the child's commune, dates, ID number) and names the wrong field.
    """

    commune = serializers.PrimaryKeyRelatedField(label=_("Commune id"), queryset=Unit.objects.none())
    village = serializers.PrimaryKeyRelatedField(
        label=_("Village id"), queryset=Unit.objects.none(), allow_null=True, required=False
    )
    household = serializers.PrimaryKeyRelatedField(
        label=_("Household id"), queryset=Household.objects.none(), allow_null=True, required=False
    )
    full_name = serializers.CharField(label=_("Full name"), max_length=150)
    sex = serializers.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = serializers.DateField(label=_("Date of birth"), allow_null=True, required=False)
    birth_year = serializers.IntegerField(
        label=_("Year of birth"), allow_null=True, required=False, min_value=1900, max_value=2200
    )
    personal_id = serializers.CharField(
        label=_("Personal identification number"), max_length=20, allow_blank=True, required=False
    )
    ethnicity = serializers.PrimaryKeyRelatedField(
        label=_("Ethnic group id"), queryset=Ethnicity.objects.all(), allow_null=True, required=False
    )
    nationality = serializers.CharField(label=_("Nationality"), max_length=2, required=False)
    birth_registered = serializers.BooleanField(label=_("Birth registered"), allow_null=True, required=False)
    birth_registration_place = serializers.CharField(max_length=255, allow_blank=True, required=False)
    school = serializers.CharField(max_length=200, allow_blank=True, required=False)
    grade = serializers.CharField(max_length=20, allow_blank=True, required=False)
    schooling_status = serializers.ChoiceField(choices=SchoolingStatus.choices, required=False)
    health_insurance = serializers.BooleanField(allow_null=True, required=False)
    disability_type = serializers.CharField(max_length=100, allow_blank=True, required=False)
    disability_level = serializers.ChoiceField(
        choices=DisabilityLevel.choices, allow_blank=True, required=False
    )
    notes = serializers.CharField(allow_blank=True, required=False)
    source = serializers.CharField(max_length=60, allow_blank=True, required=False)
    source_key = serializers.CharField(max_length=100, allow_blank=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)  # none when the schema is generated
        units = Unit.objects.restrict(user, "view").current()
        if self.instance is None:
            self.fields["commune"].queryset = units.filter(level=UnitLevel.COMMUNE)
        else:
            del self.fields["commune"]
        self.fields["village"].queryset = units.filter(level=UnitLevel.VILLAGE)
        self.fields["household"].queryset = Household.objects.restrict(user, "view")

    def validate(self, attrs):
        if self.instance is not None and "commune" in self.initial_data:
            raise serializers.ValidationError(
                {"commune": [_("A child's commune is not changed by editing the record.")]}
            )
        return attrs
