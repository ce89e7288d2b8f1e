"""Local simulators of Salesforce, Zuora and NetSuite, speaking each vendor's own API shape.

Each is a Litestar app built by ``services.sandbox.<vendor>.create_app``. All share
:mod:`services.sandbox._kernel`: issued OAuth tokens, a log of received requests, and
fault injection that tests and people switch on at run time under ``/__sandbox/``.
Run one with ``python -m services.sandbox <vendor> --port N``.
"""
