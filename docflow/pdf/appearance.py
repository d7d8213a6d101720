"""What a signature looks like on the page (Decree 30/2020, Appendix I, §II).

* The **signer**'s (the competent person's) image of a handwritten signature, in blue, centred
  between the signer's title and name. docflow draws it as a stroke derived from the signer's
  name, so the same person signs the same way and no image file is needed.
* The **organ**'s seal, in red, about the size of a real one, overlapping the left third of
  the signer's image, with the organ's name and the signing time (ISO 8601 at +07:00) beneath.
* On an **appendix**, the organ signs without an image: its name, the number and symbol of the
  main document and the signing time, upright, 10 pt, black, top right of the first page.

Each appearance is a form XObject whose fonts are passed in by reference, so a signature on a
document laid out by docflow reuses the document's embedded fonts.
"""

from __future__ import annotations

import hashlib
import math
import zlib

from docflow.pdf.canvas import RESOURCE_NAMES, Canvas, nfc, wrap
from docflow.pdf.font import Style, font
from docflow.pdf.objects import Name, Ref, dump, number

__all__ = ["BLUE", "RED", "appendix_appearance", "form_xobject", "seal_appearance",
           "signer_appearance"]

_TIME_GLYPHS = "0123456789-:+T"
"""Every glyph an ISO 8601 time can draw: an appearance's font subset holds them all, so it
is the same for every signature of one organ and is built once (see font._objects)."""

BLUE = (0.05, 0.2, 0.75)
RED = (0.85, 0.05, 0.05)
_KAPPA = 0.5523  # Bézier control distance of a quarter circle, in radii


def form_xobject(canvas: Canvas, width: float, height: float, fonts: dict[Style, Ref]) -> bytes:
    """The body of a form XObject of ``canvas`` with bounding box ``width`` × ``height``."""
    data = zlib.compress(canvas.data(), 6)
    resources: dict[str, object] = {}
    if canvas.styles:
        resources["Font"] = {RESOURCE_NAMES[s]: fonts[s] for s in Style if s in canvas.styles}
    return dump({"Type": Name("XObject"), "Subtype": Name("Form"), "BBox": [0, 0, width, height],
                 "Resources": resources, "Length": len(data), "Filter": Name("FlateDecode")}) \
        + b"\nstream\n" + data + b"\nendstream"


def signer_appearance(width: float, height: float, name: str) -> Canvas:
    """A blue handwritten-looking stroke across ``width`` × ``height``, seeded by ``name``."""
    seed = hashlib.sha256(nfc(name).encode("utf-8")).digest()
    c = Canvas()
    c.raw(b"%s RG 1.6 w 1 J 1 j" % b" ".join(number(v) for v in BLUE))
    x, y = width * 0.08, height * 0.45
    ops = [b"%s %s m" % (number(x), number(y))]
    steps = 6
    for i in range(steps):
        a, b, d = seed[3 * i] / 255, seed[3 * i + 1] / 255, seed[3 * i + 2] / 255
        nx = width * (0.08 + 0.84 * (i + 1) / steps)
        ny = height * (0.25 + 0.5 * d)
        c1 = (x + (nx - x) * 0.3, height * (0.15 + 0.8 * a))
        c2 = (x + (nx - x) * 0.7, height * (0.15 + 0.8 * b))
        ops.append(b"%s %s %s %s %s %s c" % tuple(number(v) for v in (*c1, *c2, nx, ny)))
        x, y = nx, ny
    # The flourish underneath, back to the left.
    ops.append(b"%s %s %s %s %s %s c" % tuple(number(v) for v in (
        width * 0.7, height * 0.05, width * 0.3, height * 0.2, width * 0.15, height * 0.18)))
    c.raw(b" ".join(ops) + b" S")
    return c


def _circle(cx: float, cy: float, r: float) -> bytes:
    k = r * _KAPPA
    pts = [(cx + r, cy), (cx + r, cy + k), (cx + k, cy + r), (cx, cy + r),
           (cx - k, cy + r), (cx - r, cy + k), (cx - r, cy), (cx - r, cy - k),
           (cx - k, cy - r), (cx, cy - r), (cx + k, cy - r), (cx + r, cy - k), (cx + r, cy)]
    ops = [b"%s %s m" % (number(pts[0][0]), number(pts[0][1]))]
    for i in range(1, 13, 3):
        ops.append(b"%s %s %s %s %s %s c" % tuple(
            number(v) for p in pts[i:i + 3] for v in p))
    return b" ".join(ops)


def seal_appearance(width: float, height: float, organ: str, when: str) -> Canvas:
    """The red seal of ``organ`` (name around the ring, a star in the middle) in the top
    ``width`` × ``width`` square, and the organ name and time ``when`` beneath it."""
    c = Canvas()
    r = width / 2 - 1.5
    cx, cy = width / 2, height - width / 2
    red = b" ".join(number(v) for v in RED)
    c.raw(b"%s RG %s rg 2.2 w %s S 0.8 w %s S" % (red, red, _circle(cx, cy, r),
                                                 _circle(cx, cy, r * 0.68)))
    star = []
    for i in range(10):
        radius = r * (0.28 if i % 2 == 0 else 0.11)
        angle = math.pi / 2 + i * math.pi / 5
        star.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    c.path(star, b"h f")
    # The organ's name in capitals around the upper ring, each glyph turned to the tangent.
    text = nfc(organ).upper()
    bold = font(Style.BOLD)
    size = 6.0
    ring = r * 0.82
    total = bold.width(text, size)
    span = min(total / ring, math.radians(300))
    scale = span * ring / total if total else 1.0
    c.use(Style.BOLD, text)
    ops = [b"BT %s rg /%s %s Tf" % (red, RESOURCE_NAMES[Style.BOLD].encode(), number(size))]
    advanced = 0.0
    for ch in text:
        w = bold.width(ch, size) * scale
        angle = math.pi / 2 + span / 2 - (advanced + w / 2) / ring
        advanced += w
        tangent = angle - math.pi / 2
        cos_t, sin_t = math.cos(tangent), math.sin(tangent)
        x = cx + ring * math.cos(angle) - w / 2 * cos_t + size * 0.35 * math.sin(tangent)
        y = cy + ring * math.sin(angle) - w / 2 * sin_t - size * 0.35 * math.cos(tangent)
        ops.append(b"%s %s %s %s %s %s Tm %s Tj" % (
            number(cos_t), number(sin_t), number(-sin_t), number(cos_t), number(x), number(y),
            bold.encode(ch, "organ")))
    ops.append(b"ET")
    c.raw(b" ".join(ops))
    y = height - width - 7
    c.use(Style.REGULAR, _TIME_GLYPHS)
    for line in [*wrap(organ, Style.REGULAR, 6, width)[:2], when]:
        size = 6.0
        while size > 4 and font(Style.REGULAR).width(nfc(line), size) > width:
            size -= 0.25
        c.text(0, y, line, Style.REGULAR, size, align="center", width=width, where="organ")
        y -= 7.5
    return c


def appendix_appearance(width: float, height: float, organ: str, code: str,
                        when: str) -> Canvas:
    """The organ's signature on an appendix: text only, upright, 10 pt, black, right-aligned."""
    c = Canvas()
    c.use(Style.REGULAR, _TIME_GLYPHS)
    y = height - 11
    for line in (organ, code, when):
        size = 10.0
        while size > 6 and font(Style.REGULAR).width(nfc(line), size) > width:
            size -= 0.5
        c.text(0, y, line, Style.REGULAR, size, align="right", width=width, where="organ")
        y -= 12
    return c
