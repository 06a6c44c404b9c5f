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
    "python": "# Replace None above with your answer, then run this cell."
}
