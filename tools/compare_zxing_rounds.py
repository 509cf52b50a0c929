#!/usr/bin/env python3
"""The bands against zxing-cpp, timed interleaved: for three rounds, each band is read by
zxing-cpp, then by `capture-station scan --json` on the same frames (both pinned to one core),
so that the machine's drift falls on both alike. Prints each round, then a table row per band
(read, mean time, zxing-cpp's, the union of the two, and the time ratio: the middle round's,
then the range) and the all-band ratio of each round. Frames come from `cargo bench --bench
scan` (target/phone-bands); zxing-cpp is a reference only:
    python3 -m venv /tmp/zx && /tmp/zx/bin/pip install zxing-cpp pillow
    taskset -c 1 /tmp/zx/bin/python tools/compare_zxing_rounds.py target/phone-bands target/release/capture-station
"""
import json, pathlib, subprocess, sys, time
import zxingcpp
from PIL import Image
root = pathlib.Path(sys.argv[1]); binary = sys.argv[2]
bands = ["near", "middle", "far", "moire", "dark-lean"]
frames = {b: [(p, p.with_suffix(".txt").read_text(), Image.open(p).convert("L")) for p in sorted((root / b).glob("*.png"))] for b in bands}
for b in bands:
    for _, _, im in frames[b]: im.load()
results = {}
for round_ in range(3):
    for b in bands:
        zread, zms = 0, 0.0
        zset = set()
        for p, exp, im in frames[b]:
            t = time.perf_counter()
            found = zxingcpp.read_barcodes(im, formats=zxingcpp.BarcodeFormat.QRCode)
            zms += (time.perf_counter() - t) * 1000
            if any(c.text == exp for c in found): zread += 1; zset.add(p.stem)
        out = subprocess.run(["taskset", "-c", "1", binary, "--data-dir", "/tmp/vp", "scan", *[str(p) for p, _, _ in frames[b]], "--json"], capture_output=True, text=True).stdout
        oread, oms, oset = 0, 0.0, set()
        exp_by = {p.stem: e for p, e, _ in frames[b]}
        for line in out.splitlines():
            r = json.loads(line); stem = pathlib.Path(r["file"]).stem
            oms += r["ms"]
            if exp_by[stem] in r["codes"]: oread += 1; oset.add(stem)
        n = len(frames[b])
        results.setdefault(b, []).append((oread, oms / n, zread, zms / n, len(zset | oset), sorted(zset - oset)))
        print(f"round {round_+1} {b}: ours {oread}/{n} {oms/n:.2f} ms, zxing {zread}/{n} {zms/n:.2f} ms, ratio {oms/zms:.2f}, union {len(zset|oset)}, zxing only {sorted(zset-oset)}", flush=True)
tot = lambda i: sum(sum(r[i] for r in results[b]) for b in bands)
for b in bands:
    rs = results[b]; ratios = sorted(r[1] / r[3] for r in rs)
    print(f"| {b} | {rs[0][0]}/60 | {min(r[1] for r in rs):.1f}–{max(r[1] for r in rs):.1f} ms | {rs[0][2]}/60, {min(r[3] for r in rs):.1f}–{max(r[3] for r in rs):.1f} ms | {rs[0][4]}/60 | {ratios[1]:.2f}× ({ratios[0]:.2f}–{ratios[2]:.2f}×) |")
allr = sorted(sum(results[b][i][1] for b in bands) / sum(results[b][i][3] for b in bands) for i in range(3))
print("all bands ratio", ["%.2f" % r for r in allr])
