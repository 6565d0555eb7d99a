"""teapot.contrib.sites: the default site made after migrate, the current site by SITE_ID or
by a request's host (awaited, cached), and the cache cleared when a site changes."""

import pytest

from teapot.apps import apps
from teapot.contrib.sites.management import create_default_site
from teapot.contrib.sites.models import Site, domain_without_port
from teapot.contrib.sites.shortcuts import get_current_site
from teapot.core.exceptions import ImproperlyConfigured
from teapot.db import connection
from teapot.testing import override_settings
from teapot.testing.utils import CaptureQueriesContext
from tests.database.harness import tables_of


@pytest.fixture(autouse=True)
async def site_table(pool_settings):
    async with tables_of([Site], Site.objects.clear_cache):
        yield


class Request:
    """What the sites framework reads of a request: its host."""

    def __init__(self, host):
        self.host = host

    def get_host(self):
        return self.host


async def test_the_default_site_is_made_once_with_site_id_and_the_sequence_moves_past_it():
    config = apps.get_app_config("sites")
    with override_settings(SITE_ID=3):
        await create_default_site(config, verbosity=0, using="default")
        await create_default_site(config, verbosity=0, using="default")
    assert [(s.pk, s.domain, s.name) async for s in Site.objects.all()] == [(3, "example.com", "example.com")]
    # The next site's id comes after it: the sequence was reset on PostgreSQL, and the other
    # databases count from the highest id.
    assert (await Site.objects.create(domain="other.example", name="other")).pk == 4


async def test_the_current_site_is_read_once_by_site_id():
    site = await Site.objects.create(domain="shop.example", name="Shop")
    with override_settings(SITE_ID=site.pk):
        assert await Site.objects.get_current() == site
        async with CaptureQueriesContext(connection) as queries:
            assert await get_current_site(None) == site
        assert len(queries) == 0


async def test_without_site_id_the_site_is_the_requests_host_with_or_without_its_port():
    shop = await Site.objects.create(domain="shop.example", name="Shop")
    ported = await Site.objects.create(domain="api.example:8443", name="API")
    assert await Site.objects.get_current(Request("SHOP.example:8000")) == shop
    assert await Site.objects.get_current(Request("api.example:8443")) == ported
    with pytest.raises(Site.DoesNotExist):
        await Site.objects.get_current(Request("elsewhere.example"))
    with pytest.raises(ImproperlyConfigured, match="SITE_ID"):
        await Site.objects.get_current()


async def test_saving_or_deleting_a_site_drops_it_from_the_cache():
    site = await Site.objects.create(domain="shop.example", name="Shop")
    with override_settings(SITE_ID=site.pk):
        await Site.objects.get_current()
        site.name = "Renamed"
        await site.save()
        assert (await Site.objects.get_current()).name == "Renamed"
        await site.delete()
        with pytest.raises(Site.DoesNotExist):
            await Site.objects.get_current()


@pytest.mark.parametrize(
    "host, domain",
    [
        ("Example.COM", "example.com"),
        ("example.com.:8000", "example.com"),
        ("[::1]:8000", "[::1]"),
        ("[2001:db8::1]", "[2001:db8::1]"),
        ("bad host", ""),
        ("example.com:port", ""),
    ],
)
def test_a_hosts_domain_is_without_its_port_and_final_dot(host, domain):
    assert domain_without_port(host) == domain
