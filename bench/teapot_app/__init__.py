"""The benchmark's models on teapot, as an installed app: reverse relations (``author.books``,
``tag.books``) are only known for the models of installed apps."""
