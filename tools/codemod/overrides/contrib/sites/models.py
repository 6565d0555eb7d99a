"""Overrides of django.contrib.sites.models: the site of a request's host without django.http.

Upstream looks a request's site up by its host and, failing that, by the host without its port,
split by django.http's helper; the fork has no django.http (the import is cut,
tables/closure.toml), so the split is done here. The lookups are awaited, as the colouring makes
the manager's other reads.
"""

import re

from tools.codemod.overrides import override


@override("domain_without_port", new=True)
def domain_without_port(host):
    """``host`` lower-cased, without its port and a final dot; "" when it is no valid host
    (a host name or a bracketed IPv6 address, then an optional port)."""
    parts = re.fullmatch(r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?", host.lower())
    return parts.group(1).removesuffix(".") if parts else ""


@override("SiteManager._get_site_by_request", upstream="093aa6521587")
async def _get_site_by_request(self, request):
    host = request.get_host()
    try:
        if host not in SITE_CACHE:
            SITE_CACHE[host] = await self.get(domain__iexact=host)
        return SITE_CACHE[host]
    except Site.DoesNotExist:
        domain = domain_without_port(host)
        if domain not in SITE_CACHE:
            SITE_CACHE[domain] = await self.get(domain__iexact=domain)
        return SITE_CACHE[domain]
