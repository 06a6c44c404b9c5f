"""A workshop room: one JupyterHub for a cohort, on the facilitator's machine.

Facilitator side. ``cxkit room start`` gives each participant on the roster an
account, a one-time code to log in with and a JupyterLab of their own, run in
a sandbox that sees only their home and the exchange folders that are theirs:

- ``state`` the room folder in the course (homes, codes, the hub's files);
- ``codes`` the one-time codes and the printable sheet;
- ``auth`` the hub's login (participant id and code);
- ``spawner`` each participant's server, in a bubblewrap sandbox;
- ``hub`` the hub's configuration, starting and stopping it;
- ``status`` who logged in, started, fetched and submitted;
- ``exchange`` the nbgrader exchange shared by the room;
- ``commands`` ``cxkit room start|status|stop|codes``.
"""
