"""The facilitator side: the ``cxkit`` command and the course pipeline.

Nothing on the participant side (``cxkit.data``, ``cxkit.metrics``, ...) imports
from here.
"""
