"""Read-only serializers of plans and tasks (ISO 8601 dates, agencies by id and name)."""

from rest_framework import serializers

from treem.plans.models import LegalBasis, Plan, Section, Task


class LegalBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["kind", "number", "issued_on", "issuer", "title"]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["code", "title", "text"]


class PlanSerializer(serializers.ModelSerializer):
    issuing_agency_name = serializers.CharField(source="issuing_agency.name", default="", read_only=True)
    legal_bases = LegalBasisSerializer(many=True, read_only=True)
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "key",
            "number",
            "title",
            "unit",
            "issuing_agency",
            "issuing_agency_name",
            "issued_on",
            "parent",
            "summary",
            "legal_bases",
            "sections",
        ]


class TaskSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", default=None, read_only=True)
    lead_agency_name = serializers.CharField(source="lead_agency.name", default=None, read_only=True)
    lead_label = serializers.CharField(read_only=True)
    areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    status = serializers.CharField(source="display_status", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "section",
            "code",
            "content",
            "lead_agency",
            "lead_agency_name",
            "lead_label",
            "cooperating_agencies",
            "areas",
            "parent",
            "unit",
            "starts_on",
            "deadline",
            "recurrence",
            "expected_output",
            "status",
        ]
