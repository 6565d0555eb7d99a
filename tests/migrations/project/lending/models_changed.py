from teapot.conf import settings
from teapot.db import models


class Member(models.Model):
    email = models.EmailField(unique=True)
    # Added: a nullable column (and, below, a column, a constraint and a model).
    nickname = models.CharField(max_length=40, null=True, blank=True)


class Loan(models.Model):
    book = models.ForeignKey("library.Book", on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loans_made")
    lent_on = models.DateField()
    returned_on = models.DateField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returned_on__isnull=True) | models.Q(returned_on__gte=models.F("lent_on")),
                name="lending_loan_returned_after_lent",
            )
        ]


class Reminder(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE)
    sent_at = models.DateTimeField()
