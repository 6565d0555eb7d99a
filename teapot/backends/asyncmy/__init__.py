"""MySQL and MariaDB backend on asyncmy (ENGINE ``teapot.backends.asyncmy``)."""
