"""Where the car is, and how fast a route is driven: the vehicle's facts that skills and clients share.

The cockpit has no GNSS signal on its bus, so the simulated car stands at a fixed origin: Shenzhen,
near BYD's headquarters. Navigation measures distances and arrival times from it, and the web HMI
draws routes from it. A real car would read both from its positioning unit.
"""

from __future__ import annotations

ORIGIN_LATITUDE = 22.6
"""Latitude of the car's position, degrees."""
ORIGIN_LONGITUDE = 114.05
"""Longitude of the car's position, degrees."""
AVERAGE_SPEED_KMH = 50.0
"""Assumed average speed for arrival times. The distance is the great-circle one; 50 km/h over it
is a blend of city traffic and expressway that also absorbs roads being longer than the straight
line. Good enough for "about 20 minutes"; a real route engine would replace both."""
