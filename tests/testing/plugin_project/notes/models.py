from teapot.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "notes"


class Note(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    text = models.CharField(max_length=100)

    class Meta:
        app_label = "notes"
