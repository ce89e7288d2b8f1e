"""Contract updates: seat changes, renewals and cancellations, through Zuora, NetSuite and Salesforce.

``checks`` turns a request into an :class:`AmendmentPlan` (or every reason it cannot be done);
``flow`` runs it as a durable workflow; ``app`` serves ``/v1/amendments``.

NetSuite practice chosen (docs/quote-to-cash.md): a seat increase is booked as a *change order*, a
sales order of its own for the prorated amount, keyed by the amendment id; a renewal as a new
sales order for the new term; a cancellation closes the lines of the original sales order.
"""
