"""A custom field with no teapot equivalent: a Money value object stored as text."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self):
        return f"{self.amount} {self.currency}"

    @classmethod
    def parse(cls, text):
        amount, _, currency = text.partition(" ")
        if len(currency) != 3:
            raise ValueError(f"not an amount with a currency: {text!r}")
        return cls(Decimal(amount), currency)


class MoneyField(models.CharField):
    description = "An amount of money with its currency, stored as text"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Money.parse(value)

    def to_python(self, value):
        if value is None or isinstance(value, Money):
            return value
        try:
            return Money.parse(value)
        except (ValueError, ArithmeticError) as exc:
            raise ValidationError(str(exc)) from exc

    def get_prep_value(self, value):
        if value is None:
            return None
        return str(self.to_python(value))
