from teapot.conf import settings
from teapot.db import models


class Member(models.Model):
    email = models.EmailField(unique=True)


class Loan(models.Model):
    # A foreign key into the other app: its migration depends on library's.
    book = models.ForeignKey("library.Book", on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loans_made")
    lent_on = models.DateField()
