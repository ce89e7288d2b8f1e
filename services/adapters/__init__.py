"""Adapters: the ports of :mod:`services.ports` implemented over each vendor's REST API.

Each adapter owns one ``httpx.AsyncClient`` wrapped by :class:`~services.adapters._session.VendorSession`
(OAuth, timeouts, retries) and translates its vendor's errors in exactly one function into
the tree of :mod:`services.adapters.errors`.
"""
