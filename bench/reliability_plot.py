"""A reliability curve as a PNG, drawn with the standard library only (no matplotlib in the venv).

:func:`reliability_png` draws confidence buckets (x, 0..1) against the observed fraction heard
right (y, 0..1): the diagonal is perfect calibration, each bucket is a dot whose size grows with
its number of turns, joined by a line, and a grey bar at the bottom shows each bucket's share of
the turns. Axis ticks are labelled with a tiny built-in digit font.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

WIDTH, HEIGHT = 480, 400
"""Image size in pixels."""
MARGIN = 48
"""Space around the plot area for the tick labels."""
Colour = tuple[int, int, int]
WHITE: Colour = (255, 255, 255)
BLACK: Colour = (0, 0, 0)
GREY: Colour = (200, 200, 200)
BLUE: Colour = (31, 119, 180)
RED: Colour = (214, 39, 40)

_GLYPHS = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    ".": ("000", "000", "000", "000", "010"),
}
"""3x5 bitmaps of the characters tick labels use."""


class Canvas:
    """An RGB raster with a few drawing primitives."""

    def __init__(self, width: int, height: int, background: Colour = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = [[background] * width for _ in range(height)]

    def dot(self, x: int, y: int, colour: Colour, radius: int = 0) -> None:
        """A filled square of side ``2 * radius + 1`` centred on (x, y); clipped to the canvas."""
        for yy in range(y - radius, y + radius + 1):
            for xx in range(x - radius, x + radius + 1):
                if 0 <= xx < self.width and 0 <= yy < self.height:
                    self.pixels[yy][xx] = colour

    def line(self, x0: int, y0: int, x1: int, y1: int, colour: Colour, width: int = 0) -> None:
        """A straight line (sampled densely enough to leave no gaps)."""
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            self.dot(round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps), colour, width)

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        """A filled rectangle between two corners."""
        for y in range(min(y0, y1), max(y0, y1) + 1):
            for x in range(min(x0, x1), max(x0, x1) + 1):
                self.dot(x, y, colour)

    def text(self, x: int, y: int, text: str, colour: Colour = BLACK, scale: int = 2) -> None:
        """``text`` (digits and dots) with its top-left corner at (x, y)."""
        for n, char in enumerate(text):
            for row, bits in enumerate(_GLYPHS.get(char, ("000",) * 5)):
                for col, bit in enumerate(bits):
                    if bit == "1":
                        left, top = x + (n * 4 + col) * scale, y + row * scale
                        self.rect(left, top, left + scale - 1, top + scale - 1, colour)

    def png(self) -> bytes:
        """The canvas as PNG bytes (8-bit RGB, no interlace)."""

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in self.pixels)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
        )


def reliability_png(buckets: Sequence[tuple[float, float, int, float | None]], path: Path) -> None:
    """Write the curve of ``(low, high, count, observed)`` buckets to ``path``."""
    canvas = Canvas(WIDTH, HEIGHT)
    left, right, top, bottom = MARGIN, WIDTH - MARGIN // 2, MARGIN // 2, HEIGHT - MARGIN

    def at(x: float, y: float) -> tuple[int, int]:
        return round(left + x * (right - left)), round(bottom - y * (bottom - top))

    total = max(1, sum(n for _, _, n, _ in buckets))
    for lo, hi, n, _ in buckets:  # share of turns per bucket, as a grey bar up to a quarter height
        x0, y0 = at(lo, 0.0)
        x1, y1 = at(hi, 0.25 * n / total)
        if n:
            canvas.rect(x0 + 2, y0, x1 - 2, y1, GREY)
    for step in range(11):
        x, y = at(step / 10, 0.0)
        canvas.line(x, y, x, y + 4, BLACK)
        x, y = at(0.0, step / 10)
        canvas.line(x - 4, y, x, y, BLACK)
    for tick, label in ((0.0, "0"), (0.5, "0.5"), (1.0, "1")):
        x, y = at(tick, 0.0)
        canvas.text(x - len(label) * 4, y + 8, label)
        x, y = at(0.0, tick)
        canvas.text(x - 10 - len(label) * 8, y - 5, label)
    canvas.line(*at(0.0, 0.0), *at(1.0, 0.0), BLACK)
    canvas.line(*at(0.0, 0.0), *at(0.0, 1.0), BLACK)
    canvas.line(*at(0.0, 0.0), *at(1.0, 1.0), RED)  # perfect calibration
    points = [(at((lo + hi) / 2, rate), n) for lo, hi, n, rate in buckets if rate is not None]
    for (a, _), (b, _) in itertools.pairwise(points):
        canvas.line(*a, *b, BLUE)
    for (x, y), n in points:
        canvas.dot(x, y, BLUE, 2 + min(6, round(6 * n / total * len(buckets) / 2)))
    path.write_bytes(canvas.png())
