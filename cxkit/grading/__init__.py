"""The grading engine: participants' notebooks executed safely, in parallel.

It knows a course folder (:mod:`cxkit.course.directory`) and how to read cells
(:mod:`cxkit.course.cells`), and nothing of the workshop cycle's steps:
``execute`` builds and runs one job, in a kernel from ``sandbox`` (bubblewrap and
limits) or from a warm template (``pool``, ``forkserver``); ``local`` runs jobs on
worker processes (``worker``) and ``distributed`` on a Dask cluster; ``incidents``
reads what a submission holds and what happened while it ran; ``outcomes`` are
the typed results the grading step records.
"""
