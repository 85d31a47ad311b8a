"""Draws assets/icon.png, the window icon: a video frame with a dashed model box and a
play head. Pure Python (zlib only), so it runs anywhere: python3 assets/make_icon.py"""
import struct
import zlib

N = 64
BG, FRAME, BOX, HEAD = (24, 26, 32, 255), (60, 66, 80, 255), (255, 64, 200, 255), (255, 80, 80, 255)


def pixel(x, y):
    # A rounded dark tile.
    r = 10
    cx, cy = min(max(x, r), N - 1 - r), min(max(y, r), N - 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    # The frame: a lighter rectangle.
    inside = 8 <= x < 56 and 12 <= y < 46
    # The model's box, dashed, as the canvas draws evidence.
    on_box = (x in (18, 19, 43, 44) and 18 <= y <= 38) or (y in (18, 19, 37, 38) and 18 <= x <= 44)
    if on_box and ((x + y) // 4) % 2 == 0:
        return BOX
    # The timeline below the frame with the play head on it.
    if 50 <= y <= 52 and 8 <= x < 56:
        return HEAD if x < 30 else FRAME
    if 47 <= y <= 55 and x in (29, 30):
        return HEAD
    return FRAME if inside else BG


rows = b"".join(b"\0" + b"".join(bytes(pixel(x, y)) for x in range(N)) for y in range(N))


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
with open(__file__.replace("make_icon.py", "icon.png"), "wb") as f:
    f.write(png)
