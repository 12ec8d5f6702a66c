"""factory_boy factories for the platform's models."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from treem.accounts.models import Agency, AgencyKind, UnitAssignment, User
from treem.geo.models import Unit, UnitLevel, UnitSuccession
from treem.geo.services import unit_save_with_path

PASSWORD = "Mat-khau-2026!"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    code = factory.Sequence(lambda n: f"{90000 + n}")
    kind = "Xã"
    level = UnitLevel.COMMUNE
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_save_with_path(model_class(*args, **kwargs))


class ProvinceFactory(UnitFactory):
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    code = factory.Sequence(lambda n: f"{(n % 89) + 10}")
    kind = "Tỉnh"
    level = UnitLevel.PROVINCE


class CommuneFactory(UnitFactory):
    pass


class VillageFactory(UnitFactory):
    name = factory.Sequence(lambda n: f"Thôn {n}")
    code = ""
    kind = "Thôn"
    level = UnitLevel.VILLAGE


class SuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitSuccession

    kind = "full"
    effective = dt.date(2025, 7, 1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    kind = AgencyKind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            UnitAssignment.objects.bulk_create(UnitAssignment(user=self, unit=u) for u in extracted)
        if create:
            self.save()


class ChildFactory(factory.django.DjangoModelFactory):
    """A child of commune ``commune`` (required), born in 2018."""

    class Meta:
        model = "children.Child"

    full_name = factory.Faker("name", locale="vi_VN")
    sex = "female"
    birth_year = 2018
