"""The gateway, its configuration, the dev identity provider and the ``revgate`` command line.

The gateway never imports ``services``: it knows the capabilities only through their
OpenAPI documents in ``contracts/openapi`` and its configuration.
"""
