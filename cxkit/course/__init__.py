"""The workshop cycle, one module per step, as a facilitator runs it.

``directory`` is the course folder (nbgrader's folders, its gradebook and cxkit's
own records) and ``cells`` reads a notebook's cells; the steps build on them:
``release``, ``roster``, ``collect``, ``grade`` (which hands the work to
:mod:`cxkit.grading`), ``feedback``, ``report`` and ``status``, and ``demo``
runs them all on a simulated ``cohort``.

Nothing on the participant side (``cxkit.data``, ``cxkit.metrics``, ...) imports
from here.
"""
