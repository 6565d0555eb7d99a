import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from tests.adapter.project.common import TimeStamped, check, db_default


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bio = models.TextField(blank=True)
    preferences = models.JSONField(default=dict, blank=True)
    following = models.ManyToManyField(
        "self", through="social.Follow", symmetrical=False, related_name="followers", blank=True
    )

    @property
    def display_name(self):
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    def initials(self):
        return "".join(part[0].upper() for part in self.display_name.split())


class Profile(TimeStamped):
    class Tier(models.IntegerChoices):
        FREE = 0, "Free"
        PLUS = 1, "Plus"
        PRO = 2, "Pro"

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.FREE)
    karma = models.IntegerField(**db_default(0))
    birth_date = models.DateField(null=True, blank=True)
    website = models.URLField(blank=True)
    avatar_hash = models.BinaryField(null=True)
    last_ip = models.GenericIPAddressField(null=True)

    class Meta:
        constraints = [check(models.Q(karma__gte=-100), "accounts_profile_karma_floor")]

    def is_paying(self):
        return self.tier != self.Tier.FREE


class Team(models.Model):
    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
