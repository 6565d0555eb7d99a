"""Overrides of django.contrib.sites.management: the default site made after migrate, awaited.

Upstream's post_migrate hook saves a model it gets from the migration state's registry, which
the colouring cannot tell is a model, and runs the sequence reset through a sync cursor; here
both are awaited.
"""

from tools.codemod.overrides import override


@override("create_default_site", upstream="415aae6cfe9b")
async def create_default_site(app_config, verbosity=2, interactive=True, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    try:
        Site = apps.get_model("sites", "Site")
    except LookupError:
        return
    if not router.allow_migrate_model(using, Site) or await Site.objects.using(using).exists():
        return
    # The site gets SITE_ID (1 when unset) whatever the table's sequence says, and the sequence
    # is moved past it, as Django does.
    if verbosity >= 2:
        print("Creating example.com Site object")
    await Site(pk=getattr(settings, "SITE_ID", 1), domain="example.com", name="example.com").save(using=using)
    sequence_sql = connections[using].ops.sequence_reset_sql(no_style(), [Site])
    if sequence_sql:
        if verbosity >= 2:
            print("Resetting sequence")
        async with connections[using].cursor() as cursor:
            for command in sequence_sql:
                await cursor.execute(command)
