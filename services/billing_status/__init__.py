"""Billing status: invoices, payments, balance and payment failures, reconciled between Zuora and NetSuite.

``reconcile`` matches the two systems' documents; ``watch`` takes Zuora's payment callouts and shows
a payment problem on the Salesforce account; ``app`` serves ``/v1/customers/{id}/billing-status``
and ``/v1/orders/{id}/billing-status``.
"""
