"""Overrides of django.db.models.query: the queryset protocols and the row pipeline.

Evaluation is explicit: ``await qs`` and ``async for`` fill the result cache; the sync
protocols (len, bool, iter, indexing, repr) work on a filled cache and otherwise raise
AwaitRequired naming the awaitable to use.
"""

from teapot import compiled_filters, compiled_gets, filter_templates, plain_creates
from teapot.deferred_loads import load_deferred
from teapot.errors import AwaitRequired
from teapot.streams import RowStream

from tools.codemod.overrides import override


@override("BaseIterable.__aiter__", upstream="9b10e9cf05da")
def __aiter__(self):
    raise NotImplementedError("subclasses of BaseIterable must provide __aiter__()")


@override("ModelIterable.__iter__", upstream="d66babc63940")
async def __iter__(self):
    """One model instance per row. A known related object (the instance a related manager
    filters on) is attached through each row's foreign key; when that key was deferred it
    is loaded first, with the query Django runs when it reads it."""
    queryset = self.queryset
    db = queryset.db
    compiler = queryset.query.get_compiler(using=db)
    # Running the query also fills compiler.select, klass_info and annotation_col_map.
    results = await compiler.execute_sql(
        chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
    )
    select, klass_info, annotation_col_map = (
        compiler.select,
        compiler.klass_info,
        compiler.annotation_col_map,
    )
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    model_fields_start, model_fields_end = select_fields[0], select_fields[-1] + 1
    init_list = [
        f[0].target.attname for f in select[model_fields_start:model_fields_end]
    ]
    related_populators = get_related_populators(klass_info, select, db)
    known_related_objects = []
    for field, related_objs in queryset._known_related_objects.items():
        attnames = [
            field.attname
            if from_field == "self"
            else queryset.model._meta.get_field(from_field).attname
            for from_field in field.from_fields
        ]
        known_related_objects.append(
            (field, related_objs, operator.attrgetter(*attnames), attnames)
        )
    async for row in compiler.results_iter(results):
        obj = model_cls.from_db(
            db, init_list, row[model_fields_start:model_fields_end]
        )
        for rel_populator in related_populators:
            rel_populator.populate(row, obj)
        if annotation_col_map:
            for attr_name, col_pos in annotation_col_map.items():
                setattr(obj, attr_name, row[col_pos])

        for field, rel_objs, rel_getter, attnames in known_related_objects:
            # An object select_related() already attached wins.
            if field.is_cached(obj):
                continue
            try:
                rel_obj_id = rel_getter(obj)
            except AwaitRequired:
                await load_deferred(obj, attnames)
                rel_obj_id = rel_getter(obj)
            try:
                rel_obj = rel_objs[rel_obj_id]
            except KeyError:
                pass  # The row can come from another queryset of a union (qs1 | qs2).
            else:
                setattr(obj, field.name, rel_obj)

        yield obj


@override("BaseIterable._async_generator", upstream="ad19390fd2fb")
def _async_generator(self):
    raise NotImplementedError("teapot iterables are natively async")


@override("QuerySet.__repr__", upstream="b04c5b03c954")
def __repr__(self):
    if self._result_cache is None:
        return "<%s (unevaluated) %s>" % (self.__class__.__name__, self.model._meta.label)
    data = list(self._result_cache[: REPR_OUTPUT_SIZE + 1])
    if len(data) > REPR_OUTPUT_SIZE:
        data[-1] = "...(remaining elements truncated)..."
    return "<%s %r>" % (self.__class__.__name__, data)


@override("QuerySet.__getstate__", upstream="4e23101b4577")
def __getstate__(self):
    """What pickle stores: the queryset as it is. Evaluated, its rows go with it; not
    evaluated, only its query does, and awaiting the unpickled queryset runs it (upstream
    ran the query here, which a sync protocol cannot do in teapot)."""
    return {**self.__dict__, DJANGO_VERSION_PICKLE_KEY: teapot.__version__}


@override("require_result_cache", new=True)
def require_result_cache(qs, what, hint):
    """Raise AwaitRequired unless ``qs`` (a QuerySet or RawQuerySet) is fully evaluated."""
    if qs._result_cache is None or (qs._prefetch_related_lookups and not qs._prefetch_done):
        raise AwaitRequired(
            f"{what} on an unevaluated {qs.__class__.__name__} would run a query; "
            f"evaluate it first with {hint}."
        )


@override("QuerySet._require_cache", new=True)
def _require_cache(self, what, hint="`await qs` or `async for obj in qs`"):
    require_result_cache(self, what, hint)


@override("QuerySet.__len__", upstream="fdba994b5098")
def __len__(self):
    self._require_cache("len()", "`await qs` (then len), or `await qs.count()`")
    return len(self._result_cache)


@override("QuerySet.__iter__", upstream="e4ade286382f")
def __iter__(self):
    self._require_cache("iteration", "`async for obj in qs` or `for obj in await qs`")
    return iter(self._result_cache)


@override("QuerySet.__aiter__", upstream="315b5d26c106")
async def __aiter__(self):
    await self._fetch_all()
    for item in self._result_cache:
        yield item


@override("QuerySet.__await__", new=True)
def __await__(self):
    return self._evaluate().__await__()


@override("QuerySet._evaluate", new=True)
async def _evaluate(self):
    await self._fetch_all()
    return self._result_cache


@override("QuerySet.__bool__", upstream="ea999ef6bde9")
def __bool__(self):
    self._require_cache("bool()", "`await qs.exists()` or `await qs`")
    return bool(self._result_cache)


@override("QuerySet.__getitem__", upstream="72610b322fff")
def __getitem__(self, k):
    """One row or a slice of the results: from the cache once evaluated, else a new
    queryset with LIMIT/OFFSET; an index into an unevaluated one raises AwaitRequired."""
    if not isinstance(k, (int, slice)):
        raise TypeError(
            "QuerySet indices must be integers or slices, not %s." % type(k).__name__
        )
    if (isinstance(k, int) and k < 0) or (
        isinstance(k, slice)
        and (
            (k.start is not None and k.start < 0)
            or (k.stop is not None and k.stop < 0)
        )
    ):
        raise ValueError("Negative indexing is not supported.")

    if self._result_cache is not None:
        return self._result_cache[k]

    if isinstance(k, slice):
        if k.step:
            self._require_cache("a slice with a step", "`(await qs[start:stop])[::step]`")
        qs = self._chain()
        start = int(k.start) if k.start is not None else None
        stop = int(k.stop) if k.stop is not None else None
        qs.query.set_limits(start, stop)
        return qs

    self._require_cache("qs[%d]" % k, "`await qs[%d:%d].aget()` or `(await qs)[%d]`" % (k, k + 1, k))


@override("QuerySet._iterator", upstream="472219cfe9c7")
async def _iterator(self, use_chunked_fetch, chunk_size):
    iterable = self._iterable_class(
        self,
        chunked_fetch=use_chunked_fetch,
        chunk_size=chunk_size or 2000,
    )
    if not self._prefetch_related_lookups or chunk_size is None:
        async for item in iterable:
            yield item
        return
    results = []
    async for item in iterable:
        results.append(item)
        if len(results) >= chunk_size:
            await prefetch_related_objects(results, *self._prefetch_related_lookups)
            for result in results:
                yield result
            results = []
    if results:
        await prefetch_related_objects(results, *self._prefetch_related_lookups)
        for result in results:
            yield result


@override("QuerySet.iterator", upstream="770496ff31ed", colour="aiter")
def iterator(self, chunk_size=None):
    """
    The rows, streamed from the database in chunks and not cached: a teapot.streams.RowStream
    (async for; aclose() or async with to stop it early). chunk_size must be provided for
    QuerySets that prefetch related objects.
    """
    if chunk_size is None:
        if self._prefetch_related_lookups:
            raise ValueError(
                "chunk_size must be provided when using QuerySet.iterator() after "
                "prefetch_related()."
            )
    elif chunk_size <= 0:
        raise ValueError("Chunk size must be strictly positive.")
    use_chunked_fetch = not connections[self.db].settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    )
    return RowStream(self._iterator(use_chunked_fetch, chunk_size))


@override("QuerySet.aiterator", upstream="483b282149c6", colour="aiter")
def aiterator(self, chunk_size=2000):
    """Django's async name for iterator(); as upstream's, it checks chunk_size when iterated."""
    if chunk_size <= 0:
        return RowStream(None, ValueError("Chunk size must be strictly positive."))
    return self.iterator(chunk_size=chunk_size)


@override("QuerySet.create", upstream="a219f6b399b1")
async def create(self, **kwargs):
    """Create, save and return an object of the queryset's model (teapot.plain_creates)."""
    self._for_write = True
    return await plain_creates.create_object(self.model, self.db, kwargs)


@override("QuerySet.get", upstream="52c139f42fbb")
async def get(self, *args, **kwargs):
    """The one row the filters match: DoesNotExist when none does, MultipleObjectsReturned
    when more than one does."""
    if not args and (shape := compiled_gets.shape_of(self, kwargs)) is not None:
        # A manager's get(field=value): its statement is compiled once per shape.
        compiled = compiled_gets.known(shape)
        if compiled is None:
            clone = self._get_query(args, kwargs)[0]  # a bad filter raises here, leasing nothing
            await connections[shape[2]].ensure_connection()  # the SQL may depend on the server
            compiled = compiled_gets.remember(shape, clone)
        if compiled is not compiled_gets.NOT_REUSABLE:
            found = await compiled.fetch(shape[2], [kwargs[name] for name in shape[3]])
            if found is not compiled_gets.NOT_REUSABLE:
                return self._the_one(found, MAX_GET_RESULTS)
    if self.query.combinator and (args or kwargs):
        raise NotSupportedError(
            "Calling QuerySet.get(...) with filters after %s() is not "
            "supported." % self.query.combinator
        )
    clone, limit = self._get_query(args, kwargs)
    await clone._fetch_all()
    return self._the_one(clone._result_cache, limit)


@override("QuerySet._get_query", new=True)
def _get_query(self, args, kwargs):
    """get()'s queryset (the filters, no ordering, a limit where the database allows one)
    and that limit."""
    clone = self._chain() if self.query.combinator else self.filter(*args, **kwargs)
    if self.query.can_filter() and not self.query.distinct_fields:
        clone = clone.order_by()
    limit = None
    if (
        not clone.query.select_for_update
        or connections[clone.db].features.supports_select_for_update_with_limit
    ):
        limit = MAX_GET_RESULTS
        clone.query.set_limits(high=limit)
    return clone, limit


@override("QuerySet._the_one", new=True)
def _the_one(self, found, limit):
    """get()'s answer from the instances found with at most ``limit`` rows read."""
    num = len(found)
    if num == 1:
        return found[0]
    if not num:
        raise self.model.DoesNotExist(
            "%s matching query does not exist." % self.model._meta.object_name
        )
    raise self.model.MultipleObjectsReturned(
        "get() returned more than one %s -- it returned %s!"
        % (
            self.model._meta.object_name,
            num if not limit or num < limit else "more than %s" % (limit - 1),
        )
    )


@override("QuerySet.in_bulk", upstream="4c98b087ab1b")
async def in_bulk(self, id_list=None, *, field_name="pk"):
    # Batched (a database with a parameter limit), the rows are gathered in a list before the
    # mapping is built: the generated code iterated that tuple with async for.
    if self.query.is_sliced:
        raise TypeError("Cannot use 'limit' or 'offset' with in_bulk().")
    if not issubclass(self._iterable_class, ModelIterable):
        raise TypeError("in_bulk() cannot be used with values() or values_list().")
    opts = self.model._meta
    unique_fields = [
        constraint.fields[0] for constraint in opts.total_unique_constraints if len(constraint.fields) == 1
    ]
    if (
        field_name != "pk"
        and not opts.get_field(field_name).unique
        and field_name not in unique_fields
        and self.query.distinct_fields != (field_name,)
    ):
        raise ValueError("in_bulk()'s field_name must be a unique field but %r isn't." % field_name)
    if id_list is None:
        return {getattr(obj, field_name): obj async for obj in self._chain()}
    if not id_list:
        return {}
    filter_key = "{}__in".format(field_name)
    max_params = connections[self.db].features.max_query_params or 0
    num_fields = len(opts.pk_fields) if field_name == "pk" else 1
    batch_size = max_params // num_fields
    id_list = tuple(id_list)
    if not batch_size or batch_size >= len(id_list):
        return {getattr(obj, field_name): obj async for obj in self.filter(**{filter_key: id_list})}
    objs = []
    for offset in range(0, len(id_list), batch_size):
        batch = id_list[offset : offset + batch_size]
        objs += [obj async for obj in self.filter(**{filter_key: batch})]
    return {getattr(obj, field_name): obj for obj in objs}


@override("QuerySet._fetch_all", upstream="de74ab97cc37")
async def _fetch_all(self):
    if self._result_cache is None:

        async def all_rows():
            return [item async for item in self._iterable_class(self)]

        # A plain filter's rows: its statement is compiled once per shape.
        self._result_cache = await compiled_filters.reused_or_recorded(self, "fetch", all_rows)
    if self._prefetch_related_lookups and not self._prefetch_done:
        await self._prefetch_related_objects()


@override("RawQuerySet.__len__", upstream="fdba994b5098")
def __len__(self):
    self._require_cache("len()", "`await raw_qs`")
    return len(self._result_cache)


@override("RawQuerySet.__bool__", upstream="ea999ef6bde9")
def __bool__(self):
    self._require_cache("bool()", "`await raw_qs`")
    return bool(self._result_cache)


@override("RawQuerySet._require_cache", new=True)
def _require_cache(self, what, hint="`await raw_qs` or `async for obj in raw_qs`"):
    require_result_cache(self, what, hint)


@override("RawQuerySet.__iter__", upstream="9d9c8ca9ef8d")
def __iter__(self):
    self._require_cache("iteration", "`async for obj in raw_qs`")
    return iter(self._result_cache)


@override("RawQuerySet.__aiter__", upstream="315b5d26c106")
async def __aiter__(self):
    await self._fetch_all()
    for item in self._result_cache:
        yield item


@override("RawQuerySet.__await__", new=True)
def __await__(self):
    return self._evaluate().__await__()


@override("RawQuerySet._evaluate", new=True)
async def _evaluate(self):
    await self._fetch_all()
    return self._result_cache


@override("RawQuerySet.__getitem__", upstream="3a5a0e3b9fd2")
def __getitem__(self, k):
    if not isinstance(k, slice):
        # A key the result list cannot take is refused before asking for the rows.
        try:
            operator.index(k)
        except TypeError:
            raise TypeError(f"list indices must be integers or slices, not {type(k).__name__}") from None
    self._require_cache("raw_qs[...]", "`(await raw_qs)[k]`")
    return self._result_cache[k]


@override("RawQuerySet._fetch_all", upstream="4cbf382838f5")
async def _fetch_all(self):
    if self._result_cache is None:
        self._result_cache = [item async for item in self.iterator()]
    if self._prefetch_related_lookups and not self._prefetch_done:
        await self._prefetch_related_objects()


@override("RawModelIterable.__iter__", upstream="43ec939ba468")
def __iter__(self):
    raise AwaitRequired("a raw queryset runs its query when iterated: use `async for obj in qs`.")


@override("RawModelIterable.__aiter__", new=True)
async def __aiter__(self):
    db = self.queryset.db
    query = self.queryset.query
    connection = connections[db]
    compiler = connection.ops.compiler("SQLCompiler")(query, connection, db)
    # The columns (and so the model init order) are known once the query ran.
    await query._execute_query()
    try:
        model_init_names, model_init_pos, annotation_fields = self.queryset.resolve_model_init_order()
        model_cls = self.queryset.model
        if model_cls._meta.pk.attname not in model_init_names:
            raise exceptions.FieldDoesNotExist("Raw query must include the primary key")
        fields = [self.queryset.model_fields.get(c) for c in self.queryset.columns]
        cols = [f.get_col(f.model._meta.db_table) if f else None for f in fields]
        converters = compiler.get_converters(cols)
        composite = compiler.has_composite_fields(cols)
        async for values in query.cursor:
            # Upstream's converters are sync generators over rows: feed them one row.
            if converters:
                values = next(compiler.apply_converters([values], converters))
            if composite:
                values = next(compiler.composite_fields_to_tuples([values], cols))
            model_init_values = [values[pos] for pos in model_init_pos]
            instance = model_cls.from_db(db, model_init_names, model_init_values)
            if annotation_fields:
                for column, pos in annotation_fields:
                    setattr(instance, column, values[pos])
            yield instance
    finally:
        if getattr(query, "cursor", None):
            await query.cursor.close()


@override("_first_row", new=True)
async def _first_row(queryset):
    """The first object of ``queryset[:1]``, or None: a queryset whose rows are already read
    (a prefetched related manager) slices its cached list."""
    rows = queryset[:1]
    if not isinstance(rows, list):
        rows = await rows
    for obj in rows:
        return obj
    return None


@override("QuerySet.first", upstream="5bfd7897477f")
async def first(self):
    """The first row in the queryset's order (by pk when it has none), or None."""
    if self.ordered:
        queryset = self
    else:
        self._check_ordering_first_last_queryset_aggregation(method="first")
        queryset = self.order_by("pk")
    return await _first_row(queryset)


@override("QuerySet.last", upstream="e38bbac92a9f")
async def last(self):
    """The last row in the queryset's order (by pk when it has none), or None."""
    if self.ordered:
        queryset = self.reverse()
    else:
        self._check_ordering_first_last_queryset_aggregation(method="last")
        queryset = self.order_by("-pk")
    return await _first_row(queryset)


@override("QuerySet.aggregate", upstream="a5a219017333")
async def aggregate(self, *args, **kwargs):
    """The aggregates over the queryset's rows, by alias (a positional aggregate goes by its
    default alias, ``qty__sum`` for ``Sum("qty")``)."""
    if self.query.distinct_fields:
        raise NotImplementedError("aggregate() + distinct(fields) not implemented.")
    self._validate_values_are_expressions((*args, *kwargs.values()), method_name="aggregate")
    for arg in args:
        try:
            alias = arg.default_alias  # TypeError or AttributeError: no alias to give it
        except (AttributeError, TypeError):
            raise TypeError("Complex aggregates require an alias")
        kwargs[alias] = arg
    return await compiled_filters.reused_or_recorded(
        self, "aggregate", lambda: self.query.chain().get_aggregation(self.db, kwargs), kwargs
    )


@override("QuerySet.count", upstream="1778c2b40cbc")
async def count(self):
    """The number of rows (the cached rows' number once the queryset is evaluated)."""
    if self._result_cache is not None:
        return len(self._result_cache)
    return await compiled_filters.reused_or_recorded(self, "count", lambda: self.query.get_count(using=self.db))


@override("QuerySet.exists", upstream="a16b4829b9a0")
async def exists(self):
    """Whether the queryset has any row (the cached rows tell once it is evaluated)."""
    if self._result_cache is not None:
        return bool(self._result_cache)
    return await compiled_filters.reused_or_recorded(self, "exists", lambda: self.query.has_results(using=self.db))


@override("QuerySet.update", upstream="bfef1c0265e3")
async def update(self, **kwargs):
    """Set the given fields of every row the queryset matches; return how many matched."""
    self._not_support_combined_queries("update")
    if self.query.is_sliced:
        raise TypeError("Cannot update a query once a slice has been taken.")
    self._for_write = True
    shape = compiled_filters.shape_of(self, "update", kwargs)
    if shape is not None and shape.reusable:
        # The new values are prepared inside, as compiling them is on the usual path.
        with transaction.mark_for_rollback_on_error(using=self.db):
            rows = await shape.statement.run(shape, kwargs)
        if rows is not compiled_filters.NOT_REUSABLE:
            self._result_cache = None
            return rows
    query = self.query.chain(sql.UpdateQuery)
    query.add_update_values(kwargs)

    # An ordering by an annotation is inlined: the UPDATE has no SELECT to refer to.
    new_order_by = []
    for col in query.order_by:
        alias = col
        descending = False
        if isinstance(alias, str) and alias.startswith("-"):
            alias = alias.removeprefix("-")
            descending = True
        if annotation := query.annotations.get(alias):
            if getattr(annotation, "contains_aggregate", False):
                raise exceptions.FieldError(
                    f"Cannot update when ordering by an aggregate: {annotation}"
                )
            if descending:
                annotation = annotation.desc()
            new_order_by.append(annotation)
        else:
            new_order_by.append(col)
    query.order_by = tuple(new_order_by)

    # add_update_values() inlined the annotations the values refer to.
    query.clear_select_clause()
    with transaction.mark_for_rollback_on_error(using=self.db):
        with compiled_filters.recording(shape, kwargs):
            rows = await query.get_compiler(self.db).execute_sql(ROW_COUNT)
    self._result_cache = None
    return rows


@override("QuerySet.filter", upstream="7106838b4337")
def filter(self, *args, **kwargs):
    """A new queryset with these conditions ANDed to the current ones (a manager's
    filter(field=value) is built from a template per shape: teapot.filter_templates)."""
    self._not_support_combined_queries("filter")
    if not args and (clone := filter_templates.filtered(self, kwargs)) is not None:
        return clone
    return self._filter_or_exclude(False, args, kwargs)
