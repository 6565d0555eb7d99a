from teapot.contrib.auth.models import AbstractUser
from teapot.db import models


class Member(AbstractUser):
    nickname = models.CharField(max_length=40, blank=True)


class Badge(models.Model):
    name = models.CharField(max_length=40)
    holder = models.ForeignKey(Member, models.CASCADE, related_name="badges")

    class Meta:
        permissions = [("award_badge", "Can award a badge")]


class GoldBadge(Badge):
    class Meta:
        proxy = True
