#!/usr/bin/env python3
"""An independent check of the photos the booth calls `ok`, on a labelled composed set.

A development-time measurement, not part of the app or its tests. It needs Pillow, numpy,
ImageMagick's `identify`, and MediaPipe's Python package (a different landmark pipeline from
the booth's: its own detector and crop, and the 478-point mesh with attention, whose iris
points are the pupils):

    python3 -m venv /tmp/mpenv && /tmp/mpenv/bin/pip install mediapipe==0.10.14 pillow
    /tmp/mpenv/bin/python tools/verify_portraits.py make ../shared/testdata/portraits /tmp/set
    for b in blue white grey; do
      capture-station portrait /tmp/set/$b --backdrop $b --json --output /tmp/set/out-$b > /tmp/set/$b.json
    done
    /tmp/mpenv/bin/python tools/verify_portraits.py check /tmp/set

`make` composes every portrait onto each backdrop at three sizes and three positions, turned so
that its face tilts by one of 0, ±2, ±6 and ±12 degrees (the angle is in the file name; the
portraits with hand-marked pupils are levelled first, the others taken as level). `check`
measures every photo the booth called ok: eye line 200-300 and the pupils' tilt within 3 degrees
(MediaPipe's irises), face width 180-300 (cheek to cheek, points 234-454), the pupils' midpoint
within 20 px of the centre, the head top 50-110 (the first row below the top whose middle third
differs from the backdrop seen in the top corners), 480x640, 20-40 KB, and JPEG quality >= 60
(ImageMagick), and open eyes: MediaPipe's lid gap over eye width (upper and lower lid points
159/145, 158/153, 160/144 over corners 33-133, and their mirror on the other eye), at least
0.15 for the less open eye (open eyes read about 0.25-0.35 on this mesh). Any failure is a
false ok. It also counts the frames called ok by the tilt they were made with, so that the
levelling of natural tilts (up to 10 degrees) shows.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
from PIL import Image, ImageDraw

BACKDROPS = {"blue": (100, 197, 255), "white": (255, 255, 255), "grey": (240, 240, 240)}
HEIGHTS = [760, 950, 1150]
CENTRES = [(960, 600), (760, 660), (1160, 520)]
TILTS = [0, 2, -2, 6, -6, 12, -12, 0, 0]
# The pupils' tilt in degrees, from the hand-marked pupils in tests/portrait_pipeline.rs: each
# portrait is levelled first, so that a frame's tilt label is the tilt of its face.
MARKED_TILTS = {
    "obama": math.degrees(math.atan2(211 - 214, 549 - 446)),
    "test1": math.degrees(math.atan2(512 - 515, 468 - 341)),
    "test2": math.degrees(math.atan2(245 - 244, 371 - 284)),
    "test3": math.degrees(math.atan2(214 - 209.5, 301 - 214)),
    "test4": math.degrees(math.atan2(268 - 272, 531 - 452)),
}


def load(path):
    return Image.open(path).convert("RGB")


def corner_colour(image):
    pixels = np.asarray(image)
    h, w = pixels.shape[:2]
    patch = max(w // 20, 2)
    rows = max(h // 20, 2)
    samples = np.concatenate([pixels[:rows, :patch].reshape(-1, 3), pixels[:rows, -patch:].reshape(-1, 3)])
    return tuple(int(v) for v in np.median(samples, axis=0))


def key(image, backdrop):
    """The portrait's plain backdrop replaced by `backdrop`: grown from the border, a pixel at a
    time, into neighbours that differ from it by little (so a shaded backdrop is followed) and
    stay near the corner colour."""
    pixels = np.asarray(image).astype(np.int32)
    corner = np.array(corner_colour(image))
    near = np.sqrt(((pixels - corner) ** 2).sum(axis=2)) < 70
    mask = np.zeros(near.shape, bool)
    mask[0, :] = near[0, :]
    mask[-1, :] = near[-1, :]
    mask[:, 0] = near[:, 0]
    mask[:, -1] = near[:, -1]
    steps = []
    for dy, dx in [(1, 0), (-1, 0), (0, 1), (0, -1)]:
        shifted = np.roll(pixels, (dy, dx), axis=(0, 1))
        steps.append(((dy, dx), np.abs(pixels - shifted).max(axis=2) <= 6))
    while True:
        grown = mask.copy()
        for (dy, dx), smooth in steps:
            grown |= np.roll(mask, (dy, dx), axis=(0, 1)) & smooth & near
        if (grown == mask).all():
            break
        mask = grown
    out = np.asarray(image).copy()
    out[mask] = backdrop
    return Image.fromarray(out)


def level(portraits, name):
    """The tilt of a portrait's hand-marked pupils (tests/portrait_pipeline.rs), else 0."""
    return MARKED_TILTS.get(name, 0.0)


def make(portraits, out):
    sources = []
    for folder in ["public-domain", "generated"]:
        for name in sorted(os.listdir(os.path.join(portraits, folder))):
            if name.lower().endswith((".jpg", ".png")):
                sources.append((name.rsplit(".", 1)[0], load(os.path.join(portraits, folder, name))))
    count = 0
    for backdrop_name, colour in BACKDROPS.items():
        folder = os.path.join(out, backdrop_name)
        os.makedirs(folder, exist_ok=True)
        for name, source in sources:
            fill = corner_colour(source)
            index = 0
            for height in HEIGHTS:
                for cx, cy in CENTRES:
                    tilt = TILTS[(index + len(name)) % len(TILTS)]
                    index += 1
                    # PIL turns counter-clockwise for positive angles; a positive tilt lowers
                    # the image-right eye, a clockwise turn.
                    turn = tilt - level(portraits, name)
                    turned = source.rotate(-turn, resample=Image.BILINEAR, fillcolor=fill)
                    keyed = key(turned, colour)
                    width = round(keyed.width * height / keyed.height)
                    scaled = keyed.resize((width, height), Image.BILINEAR)
                    frame = Image.new("RGB", (1920, 1080), colour)
                    frame.paste(scaled, (cx - width // 2, cy - height // 2))
                    frame.save(os.path.join(folder, f"{name}_t{tilt:+d}_h{height}_{cx}.png"))
                    count += 1
    print(f"{count} frames written under {out}")


def head_top(pixels):
    h, w = pixels.shape[:2]
    backdrop = np.median(np.concatenate([pixels[:20, :20].reshape(-1, 3), pixels[:20, -20:].reshape(-1, 3)]), axis=0)
    middle = pixels[:, w // 3: 2 * w // 3].astype(float)
    distance = np.sqrt(((middle - backdrop) ** 2).sum(axis=2))
    differing = (distance > 45).mean(axis=1)
    rows = np.nonzero(differing > 0.15)[0]
    return int(rows[0]) if len(rows) else h


# MediaPipe mesh points of each eye: corners, then upper and lower lid pairs.
EYES = [
    (33, 133, [(159, 145), (158, 153), (160, 144)]),
    (263, 362, [(386, 374), (385, 380), (387, 373)]),
]
MIN_EYE_OPENNESS = 0.15


def eye_openness(at):
    """The less open eye's mean lid gap over its width."""
    ratios = []
    for outer, inner, lids in EYES:
        (ox, oy), (ix, iy) = at(outer), at(inner)
        width = max(math.hypot(ox - ix, oy - iy), 1e-3)
        gaps = [math.hypot(at(u)[0] - at(l)[0], at(u)[1] - at(l)[1]) for u, l in lids]
        ratios.append(sum(gaps) / len(gaps) / width)
    return min(ratios)


def compliant_crop_exists(frame, at):
    """Whether the frame holds a compliant 480x640 crop, judged from MediaPipe's points on the
    whole frame: eyes open, mouth closed, head turned at most 8 degrees, a roll the crop may
    level (10 degrees), and a scale and position that put the face width at 180-300, the head
    top at 50-110 and the eye line at 200-300 with the pupils centred, all on the frame. The
    background is not judged here (see `UNKEYABLE`)."""
    if eye_openness(at) < MIN_EYE_OPENNESS:
        return False, "eyes"
    (ax, ay), (bx, by) = sorted([at(468), at(473)])
    roll = math.degrees(math.atan2(by - ay, bx - ax))
    if abs(roll) > 10:
        return False, "roll"
    (ux, uy), (lx, ly), (mx, my), (nx, ny) = at(13), at(14), at(78), at(308)
    if math.hypot(ux - lx, uy - ly) / max(math.hypot(mx - nx, my - ny), 1e-3) > 0.08:
        return False, "mouth"
    (c1x, _), (c2x, _), (tip, _) = at(234), at(454), at(1)
    turn = (tip - (c1x + c2x) / 2) / max(abs(c2x - c1x) / 2, 1e-3)
    if abs(math.degrees(math.asin(max(-1.0, min(1.0, turn))))) > 8:
        return False, "turned"
    face = math.hypot(at(454)[0] - at(234)[0], at(454)[1] - at(234)[1])
    cx, cy = (ax + bx) / 2, (ay + by) / 2
    # The head top: the first row above the eyes, across the middle of the face, that differs
    # from the backdrop seen in the frame's top corners (the frame turned level about the eyes).
    seen = np.asarray(frame).astype(float)
    backdrop = np.median(np.concatenate([seen[:20, :20].reshape(-1, 3), seen[:20, -20:].reshape(-1, 3)]), axis=0)
    turned = frame.rotate(roll, resample=Image.BILINEAR, center=(cx, cy),
                          fillcolor=tuple(int(v) for v in backdrop))
    pixels = np.asarray(turned).astype(float)
    band = pixels[: int(cy), int(cx - face / 3): int(cx + face / 3)]
    differing = (np.sqrt(((band - backdrop) ** 2).sum(axis=2)) > 45).mean(axis=1)
    rows = np.nonzero(differing > 0.15)[0]
    if not len(rows) or rows[0] == 0:
        return False, "head top"
    top = rows[0]
    width, height = frame.size
    for step in range(0, 121):
        k = (180 + 120 * step / 120) / face
        gap = k * (cy - top)
        for t in range(50, 111):
            if not 200 <= t + gap <= 300:
                continue
            crop_w, crop_h = 480 / k, 640 / k
            left, crop_top = cx - crop_w / 2, top - t / k
            corners = [(left, crop_top), (left + crop_w, crop_top), (left, crop_top + crop_h),
                       (left + crop_w, crop_top + crop_h)]
            sin, cos = math.sin(math.radians(roll)), math.cos(math.radians(roll))
            on_frame = all(0 <= cx + cos * (x - cx) - sin * (y - cy) <= width
                           and 0 <= cy + sin * (x - cx) + cos * (y - cy) <= height for x, y in corners)
            if on_frame:
                return True, ""
    return False, "framing"


# Portraits whose own background the composer cannot key out: no crop of them has an even
# backdrop, so none is counted as having a compliant crop.
UNKEYABLE = ("test1", "test2")


def quality(path):
    return int(subprocess.run(["identify", "-format", "%Q", path], capture_output=True, text=True).stdout.strip() or 0)


def check(folder):
    import mediapipe as mp
    mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1)
    judged = ok = false_ok = 0
    level_students = level_students_ok = 0
    ok_by_tilt = {}
    compliant = compliant_ok = 0
    no_crop = {}
    false_refusals = {}
    failures = []
    for backdrop in BACKDROPS:
        reports_path = os.path.join(folder, f"{backdrop}.json")
        if not os.path.exists(reports_path):
            continue
        reports = [json.loads(line) for line in open(reports_path) if line.strip()]
        for report in reports:
            judged += 1
            stem = os.path.basename(report["file"]).rsplit(".", 1)[0]
            tilt = int(stem.split("_t")[1].split("_")[0])
            if stem.startswith("test") and abs(tilt) <= 2:
                level_students += 1
                level_students_ok += bool(report.get("ok"))
            frame = load(os.path.join(folder, backdrop, stem + ".png"))
            seen = mesh.process(np.asarray(frame))
            if seen.multi_face_landmarks and not stem.startswith(UNKEYABLE):
                points_in_frame = seen.multi_face_landmarks[0].landmark
                exists, why_not = compliant_crop_exists(
                    frame, lambda i: (points_in_frame[i].x * frame.width, points_in_frame[i].y * frame.height))
                no_crop[why_not] = no_crop.get(why_not, 0) + 1
                if exists:
                    compliant += 1
                    compliant_ok += bool(report.get("ok"))
                    refused = [c["rule"] for c in report.get("checks", []) if not c["ok"]]
                    if report.get("error"):
                        refused = [f"no crop: {report['error'].get('detail', report['error'].get('kind'))}"]
                    for rule in refused:
                        false_refusals[rule] = false_refusals.get(rule, 0) + 1
            if not report.get("ok"):
                continue
            ok += 1
            ok_by_tilt[tilt] = ok_by_tilt.get(tilt, 0) + 1
            path = os.path.join(folder, f"out-{backdrop}", stem + ".jpg")
            image = load(path)
            pixels = np.asarray(image)
            problems = []
            result = mesh.process(pixels)
            if not result.multi_face_landmarks:
                problems.append("no face found by MediaPipe")
            else:
                points = result.multi_face_landmarks[0].landmark
                at = lambda i: (points[i].x * image.width, points[i].y * image.height)
                (ax, ay), (bx, by) = sorted([at(468), at(473)])
                eye_line = (ay + by) / 2
                pupil_tilt = math.degrees(math.atan2(by - ay, bx - ax))
                (cx1, cy1), (cx2, cy2) = at(234), at(454)
                face_width = math.hypot(cx2 - cx1, cy2 - cy1)
                offset = (ax + bx) / 2 - 240
                if not 200 <= eye_line <= 300:
                    problems.append(f"eye line {eye_line:.1f}")
                if abs(pupil_tilt) > 3:
                    problems.append(f"tilt {pupil_tilt:.1f}")
                if not 180 <= face_width <= 300:
                    problems.append(f"face width {face_width:.1f}")
                if abs(offset) > 20:
                    problems.append(f"off centre {offset:.1f}")
                openness = eye_openness(at)
                if openness < MIN_EYE_OPENNESS:
                    problems.append(f"eyes closed? openness {openness:.2f}")
            top = head_top(pixels)
            if not 50 <= top <= 110:
                problems.append(f"head top {top}")
            size = os.path.getsize(path)
            if image.size != (480, 640) or not 20 * 1024 <= size <= 40 * 1024:
                problems.append(f"{image.size} {size} bytes")
            if quality(path) < 60:
                problems.append(f"quality {quality(path)}")
            if problems:
                false_ok += 1
                failures.append(f"{backdrop}/{stem}: {', '.join(problems)}")
    print(f"{judged} frames; {ok} called ok; {false_ok} false ok")
    print(f"level students (test1-4, tilt within 2 degrees): {level_students_ok} of {level_students} ok")
    print("called ok by tilt: " + ", ".join(f"{t:+d}: {n}" for t, n in sorted(ok_by_tilt.items())))
    print(f"frames with a compliant crop (MediaPipe, backgrounds test1/test2 left out): {compliant}; "
          f"called ok: {compliant_ok}")
    print("why the others have none: " + ", ".join(f"{why} {n}" for why, n in sorted(no_crop.items()) if why))
    print("refusals of those frames, by check: " + ", ".join(
        f"{rule} {n}" for rule, n in sorted(false_refusals.items(), key=lambda kv: -kv[1])))
    for line in failures:
        print("  false ok:", line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        make(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["check"]:
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
