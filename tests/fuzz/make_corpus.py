#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: tests/fuzz/corpus/<target>/<name>.

Small valid files and typical broken ones, written from the formats' facts with the standard
library (zlib, struct) and PIL (JPEG, BMP), independently of the library. The output is committed;
rerun this script after changing it (existing seeds are replaced, regression seeds kept):

    /usr/bin/python3 tests/fuzz/make_corpus.py

Targets:
  mask_file   bytes of a mask file (wandb::ImageMask(path))
  image_file  first byte: the extension (index into .png .jpg .jpeg .bmp .PNG .JPG .gif ""),
              then the bytes of an image file (wandb::Image(path))
  run_log     bytes of a .wandb log (wandb::RunLogReader + wandb::decode_record)
  config_yaml a config in the byte code of fuzz_config_yaml.cpp's Decoder (config.yaml writing)
"""

import io
import os
import struct
import zlib

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
EXT = {".png": 0, ".jpg": 1, ".jpeg": 2, ".bmp": 3, ".PNG": 4, ".JPG": 5, ".gif": 6, "": 7}


# --- PNG ----------------------------------------------------------------------------------------

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, depth, color, rows, interlace=0, extra=(), idat_parts=1, compressed=None):
    """A PNG; `rows` is the raw filtered data (filter byte + samples per row, per pass)."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace)
    data = compressed if compressed is not None else zlib.compress(rows, 9)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for kind, payload in extra:
        out += chunk(kind, payload)
    step = max(1, -(-len(data) // idat_parts))
    for i in range(0, len(data), step):
        out += chunk(b"IDAT", data[i:i + step])
    return out + chunk(b"IEND", b"")


def raw_rows(width, height, bytes_per_pixel, value):
    return b"".join(b"\x00" + bytes(value(x, y) & 0xFF for x in range(width) for _ in range(bytes_per_pixel))
                    for y in range(height))


def adam7_rows(width, height, value):
    """Raw data of an interlaced 8-bit gray image: the rows of each of the 7 passes."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    out = b""
    for x0, y0, dx, dy in passes:
        xs = list(range(x0, width, dx))
        ys = list(range(y0, height, dy))
        if not xs or not ys:
            continue
        for y in ys:
            out += b"\x00" + bytes(value(x, y) & 0xFF for x in xs)
    return out


def mask_seeds():
    v = lambda x, y: (x * 3 + y) % 5
    good = png(16, 16, 8, 0, raw_rows(16, 16, 1, v))
    seeds = {
        "gray_1x1.png": png(1, 1, 8, 0, b"\x00\x07"),
        "gray_3x2.png": png(3, 2, 8, 0, raw_rows(3, 2, 1, v)),
        "gray_16x16.png": good,
        "gray_row_9x1.png": png(9, 1, 8, 0, raw_rows(9, 1, 1, v)),
        "gray_interlaced_11x9.png": png(11, 9, 8, 0, adam7_rows(11, 9, v), interlace=1),
        "gray_three_idat.png": png(16, 16, 8, 0, raw_rows(16, 16, 1, v), idat_parts=3),
        "gray_trns_text.png": png(4, 4, 8, 0, raw_rows(4, 4, 1, v),
                                  extra=[(b"tRNS", b"\x00\x03"), (b"tEXt", b"Comment\x00mask")]),
        "gray_sub_filter.png": png(4, 2, 8, 0, b"\x01\x01\x01\x01\x01\x02\x02\x02\x02\x02"),
        "rgb_2x2.png": png(2, 2, 8, 2, raw_rows(2, 2, 3, v)),
        "gray16_2x2.png": png(2, 2, 16, 0, raw_rows(2, 2, 2, v)),
        "palette_2x1.png": png(2, 1, 8, 3, b"\x00\x00\x01", extra=[(b"PLTE", b"\x00\x00\x00\xff\xff\xff")]),
        "gray1bit_8x1.png": png(8, 1, 1, 0, b"\x00\xa5"),
        "truncated.png": good[:50],
        "bad_crc.png": good[:-13] + bytes([good[-13] ^ 0x10]) + good[-12:],
        "no_iend.png": good[:-12],
        "huge_header.png": png(60000, 60000, 8, 0, b""),
        "bomb_1x1.png": png(1, 1, 8, 0, None, compressed=zlib.compress(bytes(65536), 9)),
        "short_data.png": png(8, 8, 8, 0, raw_rows(8, 4, 1, v)),
        "signature_only.png": b"\x89PNG\r\n\x1a\n",
        "text.png": b"class ids: 0 sky, 1 road\n",
        "empty.png": b"",
    }
    return seeds


# --- JPEG, BMP ----------------------------------------------------------------------------------

def pil_bytes(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def image_seeds():
    rgb = Image.new("RGB", (8, 6))
    rgb.putdata([((x * 30) % 256, (y * 40) % 256, 90) for y in range(6) for x in range(8)])
    gray = rgb.convert("L")
    jpeg = pil_bytes(rgb, "JPEG", quality=75)
    bmp = pil_bytes(rgb, "BMP")
    v = lambda x, y: x * 40 + y
    seeds = {
        "png_rgb.png": (".png", png(3, 2, 8, 2, raw_rows(3, 2, 3, v))),
        "png_rgba.PNG": (".PNG", png(2, 2, 8, 6, raw_rows(2, 2, 4, v))),
        "png_gray16.png": (".png", png(2, 2, 16, 0, raw_rows(2, 2, 2, v))),
        "png_palette.png": (".png", png(2, 1, 8, 3, b"\x00\x00\x01", extra=[(b"PLTE", b"\x00\x00\x00\xff\xff\xff")])),
        "png_as_jpg.jpg": (".jpg", png(1, 1, 8, 0, b"\x00\x07")),
        "png_bad_crc.png": (".png", png(1, 1, 8, 0, b"\x00\x07")[:-5] + b"\x00\x00\x00\x00\x00"),
        "png_huge.png": (".png", png(65501, 1, 8, 0, b"")),
        "jpeg_baseline.jpg": (".jpg", jpeg),
        "jpeg_progressive.jpeg": (".jpeg", pil_bytes(rgb, "JPEG", quality=60, progressive=True)),
        "jpeg_gray.JPG": (".JPG", pil_bytes(gray, "JPEG", quality=90)),
        "jpeg_truncated.jpg": (".jpg", jpeg[:40]),
        "jpeg_as_bmp.bmp": (".bmp", jpeg),
        "bmp_24bit.bmp": (".bmp", bmp),
        "bmp_8bit_palette.bmp": (".bmp", pil_bytes(rgb.convert("P"), "BMP")),
        "bmp_gray.bmp": (".bmp", pil_bytes(gray, "BMP")),
        "bmp_truncated.bmp": (".bmp", bmp[:30]),
        "gif_extension.gif": (".gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        "no_extension": ("", jpeg),
        "text.png": (".png", b"not an image"),
    }
    return {name: bytes([EXT[ext]]) + data for name, (ext, data) in seeds.items()}


# --- .wandb logs --------------------------------------------------------------------------------

def varint(n):
    out = b""
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number, value):
    """A protobuf field: int -> VARINT, bytes/str -> LEN."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def record(num, kind, body):
    return field(1, num) + field(kind, body)


def item(key, value_json):
    return field(1, key) + field(16, value_json)


def frame(records):
    """A .wandb file: the W&B header, then the records as LevelDB log chunks in 32 KiB blocks."""
    block, header = 32768, 7
    out = bytearray(b":W&B" + struct.pack("<HB", 0xBEE1, 0))
    for data in records:
        first = True
        while True:
            left = block - len(out) % block
            if left < header:
                out += bytes(left)
                left = block
            take = min(left - header, len(data))
            last = take == len(data)
            kind = (1 if last else 2) if first else (4 if last else 3)
            crc = zlib.crc32(bytes([kind]) + data[:take]) & 0xFFFFFFFF
            out += struct.pack("<IHB", crc, take, kind) + data[:take]
            data = data[take:]
            first = False
            if last:
                break
    return bytes(out)


def log_seeds():
    header = record(1, 21, field(1, field(1, "0.1.0+seed") + field(2, "0.40.0")))
    run = record(2, 17, field(1, "seedrun1") + field(3, "fuzz") + field(13, "host"))
    files = record(3, 6, field(1, field(1, "wandb-metadata.json") + field(3, 1)))
    history = [record(4 + 2 * i, 2, field(1, item("loss", "0.%d" % (9 - i))) + field(1, item("_step", str(i))) +
                      field(2, field(1, i) if i else b"")) for i in range(3)]
    summary = [record(5 + 2 * i, 3, field(1, item("loss", "0.%d" % (9 - i)))) for i in range(3)]
    exit_ = record(10, 18, field(1, 0) + field(2, 12))
    final = record(11, 20, b"")
    rows = [header, run, files] + [r for pair in zip(history, summary) for r in pair] + [exit_, final]
    good = frame(rows)
    big = frame([header, record(2, 2, field(1, item("notes", '"' + "n" * 40000 + '"'))), final])
    unknown = frame([header, record(2, 11, field(1, 5) + field(2, b"\x00\x01")), record(3, 99, b"\x08\x01")])
    corrupt = bytearray(good)
    corrupt[30] ^= 0x01
    return {
        "run_ok.wandb": good,
        "run_multiblock.wandb": big,
        "run_unknown_fields.wandb": unknown,
        "run_truncated.wandb": good[:len(good) - 9],
        "run_bad_crc.wandb": bytes(corrupt),
        "run_zero_tail.wandb": good + bytes(64),
        "run_bad_utf8.wandb": frame([header, record(2, 17, field(1, b"\xff\xfe"))]),
        "run_bad_varint.wandb": frame([header, b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"]),
        "run_header_only.wandb": good[:7],
        "run_bad_magic.wandb": b":W&B\x34\x12\x00" + good[7:64],
    }


# --- config.yaml: configs in fuzz_config_yaml.cpp's byte code ------------------------------------

def y_str(text):
    """A string of ASCII or Latin-1/C1 code points (each below 0xC0), at most 9."""
    data = text.encode("latin-1")
    assert len(data) <= 9 and all(b < 0xC0 for b in data)
    return bytes([len(data)]) + data


def y_double(x):
    return bytes([4]) + struct.pack(">d", x)


def y_int(x):
    return bytes([2]) + struct.pack(">q", x)


def y_text(text):
    return bytes([6]) + y_str(text)


def y_object(pairs):
    return bytes([7, len(pairs)]) + b"".join(y_str(k) + v for k, v in pairs)


def y_array(items):
    return bytes([8, len(items)]) + b"".join(items)


def config_seeds():
    def config(pairs):
        return bytes([len(pairs)]) + b"".join(y_str(k) + v for k, v in pairs)
    return {
        "flat": config([("lr", y_double(1e-05)), ("ON", y_text("no")), ("big", y_double(1e16)),
                        ("n", y_int(-(2 ** 63))), ("x", bytes([0]))]),
        "specials": config([("a: b", y_text("#")), ("~", y_double(float("nan"))), ("", y_double(-0.0)),
                            ("\x85\x7f", y_text("\t\n\x9f")), ("24-01-01", y_text("0x1F"))]),
        "nested": config([("model", y_object([("layers", y_array([y_int(1), y_object([("yes", y_text("~"))]),
                                                                   y_array([])])), ("e", y_object([]))])),
                          ("inf", y_double(float("inf")))]),
        "long_key": bytes([1, 9, 0]) + bytes(range(0x41, 0x41 + 5)) + bytes([1, 1]),
    }


def main():
    for target, seeds in (("mask_file", mask_seeds()), ("image_file", image_seeds()), ("run_log", log_seeds()),
                          ("config_yaml", config_seeds())):
        directory = os.path.join(HERE, "corpus", target)
        os.makedirs(directory, exist_ok=True)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
