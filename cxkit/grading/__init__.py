"""The grading engine: participants' notebooks executed safely, in parallel.

It knows a course folder (:mod:`cxkit.course.directory`) and how to read cells
(:mod:`cxkit.course.cells`), and nothing of the workshop cycle's steps:

- ``settings``: every runtime setting (workers, time limits, sandbox limits) as
  a configurable trait, ``c.Grading.<name>`` in ``nbgrader_config.py`` or
  ``--Grading.<name>=<value>`` on the command line;
- ``execute`` builds one job (sanitized notebooks) and runs it, in a kernel from
  ``sandbox`` (bubblewrap and limits) or from a warm template (``pool``,
  ``forkserver``);
- ``local`` runs jobs on worker processes (``worker``), ``distributed`` on a Dask
  cluster;
- ``policy`` decides, before a notebook runs, what its editable cells may
  contain; ``incidents`` reads what a submission holds, what is about to run
  and what happened while it ran; ``holds`` keeps the points of checks that ran
  after code outside the policy out of the score until a facilitator decides;
- ``pristine`` runs in the kernel, sent by the grading process: it puts the
  kernel back as it was before every check (the second wall);
- ``outcomes`` types the job, the result and the recorded outcome, whose facts
  are put into words only when shown.
"""
