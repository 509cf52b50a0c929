#!/usr/bin/env python3
"""Writes small seed corpora for the fuzz targets into fuzz/corpus/<target>/ (not committed).

Seeds come from ../shared/testdata (QR photos, portraits) when it is there, plus hand-written
capture codes, ID numbers, CSV and sheet XML. Needs Pillow for the image seeds."""
import io, os, pathlib, sys

root = pathlib.Path(__file__).resolve().parent
testdata = pathlib.Path(os.environ.get("CS_TESTDATA", root.parent.parent / "shared" / "testdata"))
corpus = root / "corpus"

def put(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

for i, code in enumerate(["CS2026-0001-ABCD", "https://xz.chsi.com.cn/c?code=ABC123", "  X  ", "\u0007bell", "采集码123", "A" * 1100]):
    put("capture_code", f"seed{i}", code)
for i, idn in enumerate(["110105200001010016", "11010520000101001X", "110105194912310021", "1101052000", "１１０１０５２０００１０１００１６"]):
    put("id_number", f"seed{i}", idn)

header = "订单号,姓名,性别,身份证号,学号,学校,院系,专业,层次,手机号,支付金额,支付时间,预约时段,采集码,备注"
row = "WX0100000001,张三,男,110105200001010016,2022001,示例大学,计算机学院,软件工程,本科,13800138000,25.00,2026-11-01 10:00:00,2026-11-30 09:00-10:00,CS-0001,"
put("csv_import", "utf8", f"{header}\n{row}\n")
put("csv_import", "bom", "\ufeff" + f"{header}\r\n{row}\r\n")
put("csv_import", "gb18030", f"{header}\n{row}\n".encode("gb18030"))
put("csv_import", "quoted", f'{header}\n"WX1","李""四",女,,,示例大学,,,,,"1,000",,,,\n')

sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
         '<row r="2"><c r="A2" t="inlineStr"><is><t>A001</t></is></c><c r="B2" t="s"><v>2</v></c><c r="C2"><v>25.5</v></c><c r="D2" s="1"><v>45000.5</v></c></row>'
         '</sheetData></worksheet>')
shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
          '<si><t>订单号</t></si><si><t>姓名</t></si><si><r><t>张</t></r><r><t>三</t></r></si></sst>')
put("xlsx_import", "sheet", b"\x00" + sheet.encode())
put("xlsx_import", "shared", b"\x01" + shared.encode())

try:
    from PIL import Image
except ImportError:
    sys.exit("Pillow missing: image seeds skipped")

def images(folder, limit):
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".gif", ".webp"})
    return found[:limit]

for i, path in enumerate(images(testdata / "qr", 24)):
    with Image.open(path) as img:
        img = img.convert("L")
        img.thumbnail((150, 150))
        w, h = img.size
        put("scanner", f"qr{i}", bytes([w - 1, h - 1]) + img.tobytes())
for i, path in enumerate(images(testdata / "portraits", 12)):
    with Image.open(path) as img:
        img = img.convert("RGB")
        img.thumbnail((160, 160))
        for fmt in ("JPEG", "PNG"):
            buffer = io.BytesIO()
            img.save(buffer, fmt)
            put("portrait_loader", f"p{i}.{fmt.lower()}", buffer.getvalue())
print("seeded", ", ".join(f"{d.name}: {len(list(d.iterdir()))}" for d in sorted(corpus.iterdir())))
