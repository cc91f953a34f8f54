"""The reference head unit: a web page served on loopback, and the bridge that makes it a gRPC client.

``cockpit hmi`` runs :mod:`cockpit.hmi.web` (an aiohttp server: the page's static ES modules and one
WebSocket per browser). Each WebSocket is a client of ``cockpit.v1.Cockpit`` (and, with a ``bench``
scope, ``cockpit.v1.Bench``) through :mod:`cockpit.hmi.link`; it forwards the JSON event lines of
docs/events.md unchanged, plus a few ``hmi.*`` messages of its own (docs/hmi.md).
"""
