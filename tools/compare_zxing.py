#!/usr/bin/env python3
"""zxing-cpp on the frames `cargo bench --bench scan` leaves in target/phone-bands: each band's
read rate and mean decode time a frame, to set beside the scanner's own figures from the same
run. zxing-cpp is a reference only, never a dependency of the app:
    python3 -m venv /tmp/zx && /tmp/zx/bin/pip install zxing-cpp pillow
    /tmp/zx/bin/python tools/compare_zxing.py target/phone-bands
"""
import pathlib
import sys
import time

import zxingcpp
from PIL import Image


def main(root):
    for band in sorted(p for p in pathlib.Path(root).iterdir() if p.is_dir()):
        read, total, elapsed = 0, 0, 0.0
        for image_path in sorted(band.glob("*.png")):
            expected = image_path.with_suffix(".txt").read_text()
            gray = Image.open(image_path).convert("L")
            started = time.perf_counter()
            found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
            elapsed += time.perf_counter() - started
            total += 1
            read += any(code.text == expected for code in found)
        if total:
            print(f"band {band.name}: {read}/{total} read, mean {1000 * elapsed / total:.1f} ms a frame")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/phone-bands")
