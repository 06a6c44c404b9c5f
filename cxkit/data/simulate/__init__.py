"""The seeded simulation of the sample company, one module per table family.

Each family is vectorised with numpy over a chunk of customers;
:mod:`cxkit.data.generate` runs the chunks and writes the files. ``core`` holds what
every family shares: the calendar, the id counters and the random streams of a
:class:`~cxkit.data.simulate.core.Chunk` of customers. The families, in the
order their draws are made (:mod:`cxkit.data.simulate.company` keeps that order):

- ``staff``: employees and their quarterly surveys (once for the whole company);
- ``customers``: customers, the campaigns that brought them, and who left;
- ``orders``: orders and their shipments, dock shifts and damage included;
- ``invoices``: invoices, disputes, payments and the reminder letters;
- ``contracts``: business customers' contracts and the clauses of each version;
- ``tickets``: support tickets, handoffs between departments, internal IT tickets;
- ``surveys`` and ``answers``: who is asked when, and what they answer;
- ``journey``: the journey events and the touchpoints they happen at;
- ``actions``: the feedback actions that close the loop;
- ``refunds`` and ``loop``: refunds and the second survey of detractors, added
  later and drawn from side streams of their own
  (:func:`~cxkit.data.simulate.core.side_stream`), so nothing above changed.

``after`` is not one of them: it replays the families up to the surveys to draw
the months after the workshops on demand (:func:`cxkit.data.generate.generate_after`).

Every planted effect is a named constant of :mod:`cxkit.data.story`.
"""
