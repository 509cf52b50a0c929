#!/usr/bin/env bash
# Regenerates assets/models/*.onnx from MediaPipe's TFLite face models (the mediapipe 0.10.14
# wheel on PyPI, Apache-2.0; later wheels no longer ship them). TensorFlow and tf2onnx are
# development-time tools only: the app and its tests never need them.
#
#   tools/convert_face_models.sh    # writes assets/models/ and tests/fixtures/face_models_onnxruntime.json
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q tensorflow-cpu tf2onnx==1.17.0 onnxruntime pillow
"$work/venv/bin/pip" download -q mediapipe==0.10.14 --no-deps -d "$work"
(cd "$work" && unzip -q -o mediapipe-0.10.14-*.whl 'mediapipe/modules/*' 'mediapipe-0.10.14.dist-info/LICENSE')
mkdir -p "$here/assets/models"
for model in face_landmark/face_landmark iris_landmark/iris_landmark face_detection/face_detection_short_range; do
    name="$(basename "$model")"
    "$work/venv/bin/python" -m tf2onnx.convert --tflite "$work/mediapipe/modules/$model.tflite" \
        --output "$here/assets/models/$name.onnx" --opset 17
done
cp "$work/mediapipe-0.10.14.dist-info/LICENSE" "$here/assets/models/LICENSE-mediapipe"

# onnxruntime's answer for a fixed synthetic input: tract must give the same (see the test
# landmarks::tract_runs_the_face_mesh_as_onnxruntime_does).
"$work/venv/bin/python" - "$here" <<'PY'
import json, sys
import numpy as np
import onnxruntime as ort

here = sys.argv[1]

def pattern(size):
    y, x, c = np.meshgrid(np.arange(size), np.arange(size), np.arange(3), indexing="ij")
    return (((x * 7 + y * 13 + c * 29) % 256) / 255.0).astype(np.float32)[None]

outputs = {}
for name, size in [("face_landmark", 192), ("iris_landmark", 64)]:
    session = ort.InferenceSession(f"{here}/assets/models/{name}.onnx")
    results = session.run(None, {session.get_inputs()[0].name: pattern(size)})
    outputs[name] = {
        o.name: [round(float(v), 4) for v in r.flatten()]
        for o, r in zip(session.get_outputs(), results)
    }
note = ("onnxruntime " + ort.__version__ + " outputs for the pattern ((x*7+y*13+c*29)%256)/255, "
        "NHWC; written by tools/convert_face_models.sh")
with open(f"{here}/tests/fixtures/face_models_onnxruntime.json", "w") as f:
    json.dump({"note": note, "outputs": outputs}, f)
PY
