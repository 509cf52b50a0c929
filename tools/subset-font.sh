#!/bin/sh
# Rebuilds the two fonts the window embeds, from Debian 12's own font packages (SIL OFL 1.1):
#
#  - assets/fonts/NotoSansCJKsc-Regular-names.otf: Noto Sans CJK SC Regular, the SC face of
#    fonts-noto-cjk's NotoSansCJK-Regular.ttc, with every character it has but Hangul (Korean
#    names reach the booth's records in Han characters). It covers 20,976 of the 20,992 CJK
#    Unified Ideographs, 6,582 of Extension A's 6,592, traditional forms and 2,108 Extension B
#    characters. Its .notdef keeps its outline (pyftsubset drops it by default), so a character
#    no font has is drawn as a visible box, never as nothing.
#  - assets/fonts/HanaMinB.ttf: fonts-hanazono's HanaMinB, unmodified (its licence reserves the
#    font's name for unmodified copies): 42,711 of Extension B's 42,720 characters, and C to F.
#
# Needs: apt-get install fonts-noto-cjk fonts-hanazono; pip install fonttools
set -eu
out=$(dirname "$0")/../assets/fonts
work=$(mktemp -d)
python3 - "$work" <<'PY'
import sys
from fontTools.ttLib import TTCollection
work = sys.argv[1]
collection = TTCollection("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
face = next(f for f in collection.fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
face.save(f"{work}/sc.otf")
hangul = [(0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF)]
keep = [c for c in face.getBestCmap() if not any(lo <= c <= hi for lo, hi in hangul)]
open(f"{work}/unicodes", "w").write(",".join(f"U+{c:04X}" for c in sorted(keep)))
PY
pyftsubset "$work/sc.otf" --unicodes-file="$work/unicodes" \
    --layout-features='kern,palt,vert,locl' --no-hinting --notdef-outline \
    --output-file="$out/NotoSansCJKsc-Regular-names.otf"
cp /usr/share/fonts/truetype/hanazono/HanaMinB.ttf "$out/HanaMinB.ttf"
rm -r "$work"
