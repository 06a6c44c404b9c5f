"""nbgrader's settings for this course: the repository root is the course directory.

source/<workshop>/ holds the notebooks with solutions and tests; `cxkit release`
writes release/<workshop>/ from them. The gradebook is SQLite in this folder
(git-ignored) unless a cxkit command is given --db-url.
"""

c = get_config()  # noqa: F821 - nbgrader provides get_config when it reads this file

c.CourseDirectory.course_id = "cxkit"

# What replaces a model answer in a code cell of the participant's notebook. Answer
# cells start with `name = None`, so the stub says what to do instead of raising
# NotImplementedError. The text stub of written answers stays nbgrader's default
# ("YOUR ANSWER HERE"): nbgrader scores an unchanged reflection 0 by comparing
# checksums that include that text, so every generation must use the same one.
c.ClearSolutions.code_stub = {
    "python": "# Write your answer above (replace None, or fill in the quotes), then run this cell."
}

# How `cxkit grade` runs (cxkit.grading.settings.Grading). Uncomment to change one for
# this course; `cxkit grade --Grading.<name>=<value>` (or --workers, --cell-timeout,
# --budget, --no-sandbox) changes it for one run, and wins. `cxkit grade --help` lists them.
# c.Grading.workers = 3              # notebooks graded at once (default: cores + 1, at most 8)
# c.Grading.cell_timeout = 30        # seconds one cell may run before it is interrupted
# c.Grading.budget = 180             # seconds one submission may take before it is stopped
# c.Grading.sandbox = True           # False only for debugging: no isolation, limits only
# Limits on each participant's kernel, inside the sandbox:
# c.Grading.memory_mb = 2048         # memory (address space) of each process, MB
# c.Grading.cpu_seconds = 600        # CPU seconds of each process
# c.Grading.processes = 128          # processes and threads at once
# c.Grading.file_mb = 100            # size of any file it writes, MB
# c.Grading.tmp_mb = 256             # its private /tmp, MB
# c.Grading.output_cell_kb = 1024    # output kept per cell, KB
# c.Grading.output_notebook_kb = 8192  # output kept per notebook, KB
