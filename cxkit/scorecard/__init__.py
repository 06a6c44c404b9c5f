"""The organisation scorecard on a company's own exports.

``mapping`` reads an export through a mapping file (which column is which, which
scale, which team is which department) and lists every problem at once; ``card``
computes the scorecard's tables and renders them to one offline page;
``headline`` is the short summary ``cxkit data generate`` prints; ``pulse``
compares each department's touchpoints after its workshop with the days before
it, and ``pulse_page`` is its page. It never imports the grading engine.
"""
