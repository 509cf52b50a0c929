#!/usr/bin/env python3
"""BlazeFace (short range) against the booth's SeetaFace: does it find the faces?

A development-time measurement, not part of the app or its tests. Write the portrait
benchmark's frames, then run this with onnxruntime and Pillow installed (for example in the
virtualenv tools/convert_face_models.sh makes):

    cargo bench --bench portrait -- --quick --write-frames /tmp/frames
    python3 tools/compare_face_detectors.py /tmp/frames
    capture-station portrait /tmp/frames --json --output /tmp/out   # SeetaFace's answers

Each 1920x1080 frame is letterboxed to a square and scaled to 128x128 in -1..1, as MediaPipe
feeds the detector; a face counts as found when any anchor scores above 0.5 (MediaPipe's
default minimum detection confidence).
"""
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

MODEL = os.path.join(os.path.dirname(__file__), "..", "assets", "models",
                     "face_detection_short_range.onnx")


def main(folder):
    session = ort.InferenceSession(MODEL)
    name = session.get_inputs()[0].name
    found, missed = 0, []
    names = sorted(n for n in os.listdir(folder) if n.endswith(".png"))
    for file in names:
        image = Image.open(os.path.join(folder, file)).convert("RGB")
        side = max(image.size)
        square = Image.new("RGB", (side, side))
        square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
        pixels = np.asarray(square.resize((128, 128), Image.BILINEAR), np.float32) / 127.5 - 1
        outputs = session.run(None, {name: pixels[None]})
        logits = [o for o in outputs if o.shape[-1] == 1][0].reshape(-1)
        best = (1 / (1 + np.exp(-np.clip(logits, -50, 50)))).max()
        if best > 0.5:
            found += 1
        else:
            missed.append(f"{file} ({best:.2f})")
    print(f"BlazeFace short range found a face in {found} of {len(names)} frames")
    for line in missed:
        print("  missed", line)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/frames")
