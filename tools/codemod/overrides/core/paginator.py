"""Overrides of django.core.paginator: counting and reading a page are awaited.

The colouring finds no I/O here: the paginator reaches the database only through the
object list's ``count()`` and slicing, which it cannot type. So the awaited methods are
written by hand, with Django's names (``await paginator.page(2)``) and Django 6.0's async
ones (``acount``, ``anum_pages``, ``apage``, ``aget_page``, ...) beside them.

What stays sync reads what an awaited call has loaded: ``count``, ``num_pages``,
``page_range``, ``validate_number`` and ``get_elided_page_range`` answer once the count is
known (after ``acount()`` or a page), and raise AwaitRequired before. A page holds its rows
as a list, so ``len(page)``, indexing, iteration and ``has_next()`` never query.
"""

from tools.codemod.overrides import override
from teapot.errors import AwaitRequired


@override("Paginator.count", upstream="5e05d15e6bce")
@cached_property
def count(self):
    """The number of objects: a list's length at once, a queryset's once counted."""
    counter = getattr(self.object_list, "count", None)
    if inspect.iscoroutinefunction(counter):
        raise AwaitRequired(
            "paginator.count would run a query; count first with `await paginator.acount()`, "
            "or read a page with `await paginator.page(number)`."
        )
    if callable(counter) and not inspect.isbuiltin(counter) and method_has_no_args(counter):
        return counter()
    return len(self.object_list)


@override("Paginator.acount", new=True)
async def acount(self):
    """Count the objects (one query for a queryset, none after the first call)."""
    if "count" not in self.__dict__:
        counter = getattr(self.object_list, "count", None)
        if inspect.iscoroutinefunction(counter) and method_has_no_args(counter):
            # Stored where the cached property keeps its value: `count` answers from now on.
            self.__dict__["count"] = await counter()
    return self.count


@override("Paginator.anum_pages", new=True)
async def anum_pages(self):
    await self.acount()
    return self.num_pages


@override("Paginator.apage_range", new=True)
async def apage_range(self):
    await self.acount()
    return self.page_range


@override("Paginator.avalidate_number", new=True)
async def avalidate_number(self, number):
    # validate_number() refuses what is not a whole number, or is below 1, before it needs the
    # count: such a number costs no query, as in Django.
    try:
        return self.validate_number(number)
    except AwaitRequired:
        await self.acount()
        return self.validate_number(number)


@override("Paginator.page", upstream="8dc3b355f030")
async def page(self, number):
    """The page ``number`` (from 1), its objects read into a list."""
    number = await self.avalidate_number(number)
    bottom = (number - 1) * self.per_page
    top = bottom + self.per_page
    if top + self.orphans >= self.count:
        top = self.count
    page = self._get_page(self.object_list[bottom:top], number, self)
    await page.aget_object_list()
    return page


@override("Paginator.apage", new=True)
async def apage(self, number):
    return await self.page(number)


@override("Paginator.get_page", upstream="f93dc18947b9")
async def get_page(self, number):
    """Like page(), but a number that is not one, or out of range, gives the first or last page."""
    try:
        number = await self.avalidate_number(number)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = self.num_pages
    return await self.page(number)


@override("Paginator.aget_page", new=True)
async def aget_page(self, number):
    return await self.get_page(number)


@override("Paginator.__iter__", upstream="aaa599be9299")
async def __iter__(self):
    # Named __aiter__ in the output: `async for page in paginator`.
    for number in await self.apage_range():
        yield await self.page(number)


@override("Paginator.aget_elided_page_range", new=True)
async def aget_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
    await self.acount()
    for item in self.get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends):
        yield item


@override("Page.aget_object_list", new=True)
async def aget_object_list(self):
    """The page's objects as a list, read once (a page from Paginator.page() already has them)."""
    if not isinstance(self.object_list, list):
        if hasattr(self.object_list, "__aiter__"):
            self.object_list = [obj async for obj in self.object_list]
        else:
            self.object_list = list(self.object_list)
    return self.object_list


@override("Page.__aiter__", new=True)
async def __aiter__(self):
    for obj in await self.aget_object_list():
        yield obj


@override("Page.ahas_next", new=True)
async def ahas_next(self):
    await self.paginator.acount()
    return self.has_next()


@override("Page.ahas_previous", new=True)
async def ahas_previous(self):
    return self.has_previous()


@override("Page.ahas_other_pages", new=True)
async def ahas_other_pages(self):
    await self.paginator.acount()
    return self.has_other_pages()


@override("Page.anext_page_number", new=True)
async def anext_page_number(self):
    await self.paginator.acount()
    return self.next_page_number()


@override("Page.aprevious_page_number", new=True)
async def aprevious_page_number(self):
    await self.paginator.acount()
    return self.previous_page_number()


@override("Page.astart_index", new=True)
async def astart_index(self):
    await self.paginator.acount()
    return self.start_index()


@override("Page.aend_index", new=True)
async def aend_index(self):
    await self.paginator.acount()
    return self.end_index()


@override("AsyncPage", new=True)
class AsyncPage(Page):
    """Django 6.0's name for the page of an async paginator: teapot's Page is one already."""


@override("AsyncPaginator", new=True)
class AsyncPaginator(Paginator):
    """Django 6.0's name for a paginator whose counting and page reads are awaited, as
    teapot's Paginator is: code written against Django's async API runs unchanged."""

    def _get_page(self, *args, **kwargs):
        return AsyncPage(*args, **kwargs)
