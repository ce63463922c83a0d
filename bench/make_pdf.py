#!/usr/bin/env python3
"""Writes a PDF of an exact size whose pages repeat the scanned images of
Courier's demo documents, one image object per page as in a real scan.

usage: make_pdf.py OUT SIZE SCAN.pdf...
"""

import re
import sys

IMAGE = re.compile(
    rb"\d+\s+0\s+obj\s*<<((?:(?!endobj).)*?/Subtype\s*/Image(?:(?!endobj).)*?)>>\s*stream\r?\n",
    re.S,
)


def jpeg_components(data):
    """The number of colour components in a JPEG's frame header."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return data[i + 9]
        i += 2 + length
    return 3


def images(path):
    """The image XObjects of a PDF whose dictionaries can stand alone."""
    pdf = open(path, "rb").read()
    found = []
    for match in IMAGE.finditer(pdf):
        entries = match.group(1)
        length = re.search(rb"/Length\s+(\d+)(\s+\d+\s+R)?", entries)
        if not length or length.group(2) or b"JBIG2Globals" in entries:
            continue
        data = pdf[match.end() : match.end() + int(length.group(1))]
        entries = re.sub(rb"/Length\s+\d+", b"", entries)
        width = int(re.search(rb"/Width\s+(\d+)", entries).group(1))
        height = int(re.search(rb"/Height\s+(\d+)", entries).group(1))
        if re.search(rb"/ColorSpace\s+\d+\s+0\s+R", entries):
            gray = b"/DCTDecode" in entries and jpeg_components(data) == 1
            space = b"/DeviceGray" if gray else b"/DeviceRGB"
            entries = re.sub(rb"/ColorSpace\s+\d+\s+0\s+R", b"/ColorSpace " + space, entries)
        if re.search(rb"\d+\s+0\s+R", entries):
            continue
        found.append((entries, data, width, height))
    return found


def main():
    out, size, scans = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    pool = [image for scan in scans for image in images(scan)]
    if not pool:
        sys.exit("no usable images in " + " ".join(scans))

    chunks = [b"%PDF-1.7\n%\xbf\xf7\xa2\xfe\n"]
    offsets = {}
    written = len(chunks[0])

    def add(number, body):
        nonlocal written
        offsets[number] = written
        chunk = b"%d 0 obj\n" % number + body + b"\nendobj\n"
        chunks.append(chunk)
        written += len(chunk)

    # Objects 1 and 2 (catalog, page tree) are written last; pages start at 3.
    pages = []
    number = 3
    reserve = 400_000  # room for the page tree, the cross-reference table and the trailer
    while True:
        entries, data, width, height = pool[len(pages) % len(pool)]
        if written + len(data) + 600 + reserve > size:
            break
        scale = 612 / width
        w, h = 612, round(height * scale)
        add(number, b"<<" + entries + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream")
        content = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (w, h)
        add(number + 1, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        add(
            number + 2,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R"
            b" /Resources << /XObject << /Im0 %d 0 R >> >> >>" % (w, h, number + 1, number),
        )
        pages.append(number + 2)
        number += 3

    kids = b" ".join(b"%d 0 R" % p for p in pages)
    add(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(pages), kids))
    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")

    count = number
    xref = [b"xref\n0 %d\n" % count, b"0000000000 65535 f \n"]
    xref += [b"%010d 00000 n \n" % offsets[n] for n in range(1, count)]
    xref = b"".join(xref)
    trailer_for = lambda start: b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        count,
        start,
    )
    # A comment pads the file to the exact size asked for.
    pad = size - written - len(xref) - len(trailer_for(0))
    for _ in range(3):
        tail = trailer_for(written + pad + 1)
        pad = size - written - 1 - len(xref) - len(tail)
    if pad < 0:
        sys.exit("size too small")
    chunks.append(b"%" + b"0" * (pad - 1) + b"\n" if pad > 0 else b"")
    start = written + len(chunks[-1])
    chunks += [xref, trailer_for(start)]

    with open(out, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    print(f"{out}: {len(pages)} pages, {sum(map(len, chunks))} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
