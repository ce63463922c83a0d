#!/usr/bin/env python3
"""Exactness under load: uploads documents with download limits 1 to 5, then
fires many download attempts at them at the same moment, half as the
borrower's staff and half as patrons, and counts what was served.

usage: race.py BASE_URL LENDER_TOKEN BORROWER_TOKEN REQUEST_ID SCAN.pdf RUNS ATTEMPTS

Prints one JSON line: attempts, served, beyond (served past each limit,
summed), counted_mismatch (documents whose recorded count differs from what
was served), seconds (time spent racing) and per_second.
"""

import asyncio
import json
import sys
import time
import urllib.parse
import urllib.request
import uuid


def upload(base, token, request_id, pdf, limit):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("max_downloads", str(limit)), ("description", f"race limit {limit}")):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="race.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + pdf
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        f"{base}/api/v1/requests/{request_id}/attachments",
        data=b"".join(parts),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def used(base, token, request_id):
    request = urllib.request.Request(
        f"{base}/api/v1/requests/{request_id}/attachments",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request) as answer:
        return {a["id"]: a["downloads_used"] for a in json.load(answer)}


async def attempt(host, port, raw, start):
    """One download attempt; True when the whole file was served."""
    reader, writer = await asyncio.open_connection(host, port)
    await start.wait()
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length) if length else await reader.read()
    writer.close()
    return status == 200 and len(body) == length and body.startswith(b"%PDF-")


def requests_for(documents, attempts, borrower, host):
    raws = []
    for i in range(attempts):
        document = documents[i % len(documents)]
        if i % 2:
            raws.append(
                (
                    document["id"],
                    f"GET /api/v1/attachments/{document['id']}/content HTTP/1.1\r\nHost: {host}\r\n"
                    f"Authorization: Bearer {borrower}\r\nConnection: close\r\n\r\n".encode(),
                )
            )
        else:
            path = urllib.parse.urlsplit(document["document_url"]).path
            form = b"accept_copyright=yes"
            raws.append(
                (
                    document["id"],
                    f"POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(form)}\r\n\r\n".encode()
                    + form,
                )
            )
    return raws


async def race(host, port, raws):
    start = asyncio.Event()
    tasks = [asyncio.ensure_future(attempt(host, port, raw, start)) for _, raw in raws]
    await asyncio.sleep(0.5)  # let every connection open first
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return results, time.perf_counter() - began


def main():
    base, lender, borrower, request_id, scan, runs, attempts = sys.argv[1:8]
    runs, attempts = int(runs), int(attempts)
    pdf = open(scan, "rb").read()
    split = urllib.parse.urlsplit(base)
    totals = {"attempts": 0, "served": 0, "beyond": 0, "counted_mismatch": 0, "failed": 0}
    seconds = 0.0

    for _ in range(runs):
        documents = [upload(base, lender, request_id, pdf, limit) for limit in range(1, 6)]
        raws = requests_for(documents, attempts, borrower, split.netloc)
        results, took = asyncio.run(race(split.hostname, split.port, raws))
        seconds += took

        served = {d["id"]: 0 for d in documents}
        for (document_id, _), result in zip(raws, results):
            if isinstance(result, BaseException):
                totals["failed"] += 1
            elif result:
                served[document_id] += 1
        recorded = used(base, lender, request_id)
        for document in documents:
            n = served[document["id"]]
            totals["served"] += n
            totals["beyond"] += max(0, n - document["max_downloads"])
            if recorded[document["id"]] != n:
                totals["counted_mismatch"] += 1
        totals["attempts"] += attempts

    totals["seconds"] = round(seconds, 3)
    totals["per_second"] = round(totals["attempts"] / seconds, 1)
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
