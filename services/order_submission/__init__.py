"""Order submission: a closed-won deal becomes a Zuora subscription and a NetSuite sales order.

``plan`` checks a submission against the three systems and turns it into an :class:`OrderPlan`;
``flow`` runs the plan as a durable workflow; ``app`` serves ``/v1/orders``.
"""
