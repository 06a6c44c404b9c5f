"""The workshop cycle, one module per step, as a facilitator runs it.

``directory`` is the course folder (nbgrader's folders, its gradebook and cxkit's
own records) and ``cells`` reads a notebook's cells; the steps build on them, in
the order a facilitator runs them: ``quickstart`` (a new course folder from the
shipped workshops), ``release``, ``roster``, ``collect``, ``grade`` (which hands
the work to :mod:`cxkit.grading`), ``feedback``, ``report`` and ``status``.
``render`` turns a report template into one offline page (the facilitator
report here, the scorecard too), and ``demo`` runs every step on a simulated
``cohort``.

Nothing on the participant side (``cxkit.data``, ``cxkit.metrics``, ...) imports
from here.
"""
