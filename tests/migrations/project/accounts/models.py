from teapot.contrib.auth.models import AbstractUser
from teapot.db import models


class Reader(AbstractUser):
    # The project's custom user: settings.py sets AUTH_USER_MODEL = "accounts.Reader".
    card_number = models.CharField(max_length=20, blank=True)
