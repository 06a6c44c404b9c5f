"""A participant's two commands: ``cxkit lab`` (a workspace of one's own, in
JupyterLab) and ``cxkit submit`` (one zip to hand in).

Like the helpers, they never import the facilitator side.
"""
