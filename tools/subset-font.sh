#!/bin/sh
# Rebuilds assets/fonts/NotoSansSC-Regular-subset.otf from Debian's Noto Sans CJK SC (OFL-1.1).
# Keeps the 8,105 characters of 通用规范汉字表 (from Unihan's kTGH field), all of GB 2312,
# Latin-1, and the punctuation, symbols and full-width forms Chinese text uses.
# Needs: apt-get install fonts-noto-cjk unicode-data; pip install fonttools
set -eu
out=$(dirname "$0")/../assets/fonts
work=$(mktemp -d)
bzcat /usr/share/unicode/Unihan_OtherMappings.txt.bz2 | awk -F'\t' '$2 == "kTGH" && $1 ~ /^U/ {print $1}' > "$work/tgh"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
cps = {int(line.strip()[2:], 16) for line in open(f"{work}/tgh")}
for b1 in range(0xA1, 0xF8):
    for b2 in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([b1, b2]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
for lo, hi in [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2460, 0x24FF),
               (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x2713, 0x2718),
               (0x3000, 0x303F), (0x3100, 0x312F), (0xFF00, 0xFFEF)]:
    cps.update(range(lo, hi + 1))
open(f"{work}/unicodes", "w").write(",".join(f"U+{c:04X}" for c in sorted(cps)))
PY
pyftsubset /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc --font-number=2 \
    --unicodes-file="$work/unicodes" --layout-features='kern,palt,vert' --no-hinting \
    --output-file="$out/NotoSansSC-Regular-subset.otf"
rm -r "$work"
