from django.db import models

from bench.models import declare

globals().update(vars(declare(models, __name__)))
