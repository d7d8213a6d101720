"""Make the fonts docflow embeds in the PDFs it lays out: DejaVu Serif, cut to Vietnamese.

Run once by a maintainer (it reads the system's DejaVu fonts, from Debian's fonts-dejavu-core)::

    .venv/bin/python tools/subset_fonts.py /usr/share/fonts/truetype/dejavu docflow/pdf/fonts

The output (a TrueType subset per style and a JSON of its metrics: the glyph of each code
point and the advance of each glyph) is committed, so neither the package nor the tests read a
file outside the repository, and the package needs no fontTools at run time. The subset keeps
Basic Latin, Latin-1, the Vietnamese letters of Latin Extended-A/B and Latin Extended
Additional, and a few punctuation marks: what an official document is typed in. Glyph ids are
renumbered densely (``retain_gids=False``) and hinting is dropped, so one subset is ~40 KB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

STYLES = {"DejaVuSerif.ttf": "DejaVuSerif", "DejaVuSerif-Bold.ttf": "DejaVuSerif-Bold",
          "DejaVuSerif-Italic.ttf": "DejaVuSerif-Italic"}

CODE_POINTS = sorted(
    set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    | {0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0}
    | set(range(0x1EA0, 0x1EFA))
    | {0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2116, 0x2605})


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for file_name, stem in STYLES.items():
        options = subset.Options()
        options.retain_gids = False
        options.hinting = False
        options.desubroutinize = True
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.layout_features = []
        font = TTFont(source / file_name)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[c for c in CODE_POINTS if c in font.getBestCmap()])
        subsetter.subset(font)
        font.save(target / f"{stem}.ttf")
        font = TTFont(target / f"{stem}.ttf")
        order = font.getGlyphOrder()
        gid = {name: i for i, name in enumerate(order)}
        hmtx = font["hmtx"].metrics
        head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
        metrics = {
            "name": stem, "units_per_em": head.unitsPerEm,
            "bbox": [head.xMin, head.yMin, head.xMax, head.yMax],
            "ascent": hhea.ascent, "descent": hhea.descent,
            "cap_height": getattr(os2, "sCapHeight", hhea.ascent),
            "italic_angle": font["post"].italicAngle,
            "cmap": {str(cp): gid[name] for cp, name in sorted(font.getBestCmap().items())},
            "widths": [hmtx[name][0] for name in order],
        }
        (target / f"{stem}.json").write_text(json.dumps(metrics, separators=(",", ":")) + "\n")
        print(stem, len(order), "glyphs", (target / f"{stem}.ttf").stat().st_size, "bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
