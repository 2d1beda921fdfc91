"""A corpus of malformed bodies sent to every operation of /openapi.json that takes a body: truncated JSON, huge
numbers, deep nesting, invalid UTF-8, NUL bytes, a 10 MB string, wrong types. Each must be answered, within 15 s, with
a status below 500, and the server must still be healthy afterwards.

    python3 Tests/Fuzz/malformed.py BASE_URL KEY
"""
import http.client
import json
import sys
import time
import urllib.parse

base, key = sys.argv[1], sys.argv[2]
origin = urllib.parse.urlsplit(base)

def corpus():
    yield "empty", b""
    yield "truncated", b'{"phone": "555123'
    yield "truncated object", b'{"phone": "5551234567", "consent": {'
    yield "trailing garbage", b'{"phone": "5551234567"} {"x": 1}'
    yield "huge number", b'{"phone": 1e999999, "bid_cents": 99999999999999999999999999999, "amount_cents": -1e308}'
    yield "huge integer", b'{"bid_cents": 123456789012345678901234567890, "score": 18446744073709551616}'
    yield "deep array", b"[" * 100_000 + b"]" * 100_000
    yield "deep object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    yield "deep unclosed", b"[" * 200_000
    yield "invalid utf-8", b'{"phone": "\xff\xfe\xfd", "first_name": "\xc3\x28", "email": "\xed\xa0\x80@x.com"}'
    yield "nul in string", b'{"phone": "555\\u00001234567", "first_name": "a\\u0000b"}'
    yield "raw nul", b'{"phone": "5551234567"\x00}'
    yield "lone surrogate", b'{"first_name": "\\ud800", "phone": "\\udfff"}'
    yield "10 MB string", b'{"first_name": "' + b"a" * (10 * 1024 * 1024) + b'", "phone": "5551234567"}'
    yield "wrong types", json.dumps({"phone": {"a": 1}, "state": [1, 2], "consent": "yes", "bid_cents": "ten",
                                     "campaign_types": "auto", "steps": {"x": 1}, "lead": 5, "name": 7}).encode()
    yield "array", b"[1, 2, 3]"
    yield "null", b"null"
    yield "string", b'"hello"'
    yield "number", b"42"
    yield "bom", b'\xef\xbb\xbf{"phone": "5551234567"}'
    yield "duplicate keys", b'{"phone": "5551234567", "phone": {"x": 1}}'
    yield "control characters", b'{"phone": "555\x01\x02\x1b1234567"}'

def send(method, path, body, content_type):
    connection = http.client.HTTPConnection(origin.hostname, origin.port, timeout=15)
    headers = {"Authorization": "Bearer " + key, "X-API-Key": key, "Content-Type": content_type,
               "Content-Length": str(len(body))}
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except (ConnectionError, http.client.HTTPException) as error:
        # A server may close a connection whose body it refused before reading it all (a 413): ask again to tell
        # a refusal from a crash.
        return ("closed: %s" % error.__class__.__name__), time.monotonic() - started
    finally:
        connection.close()

def healthy():
    connection = http.client.HTTPConnection(origin.hostname, origin.port, timeout=15)
    connection.request("GET", "/healthz")
    return connection.getresponse().status == 200

def main():
    connection = http.client.HTTPConnection(origin.hostname, origin.port, timeout=15)
    connection.request("GET", "/openapi.json")
    document = json.loads(connection.getresponse().read())
    targets = []
    for path, item in sorted(document["paths"].items()):
        for method, operation in sorted(item.items()):
            if method == "parameters" or "requestBody" not in operation:
                continue
            concrete = "/".join("x" if part.startswith("{") else part for part in path.split("/"))
            for content_type in operation["requestBody"]["content"]:
                targets.append((method.upper(), concrete, content_type))
    failures, sent, slowest = [], 0, 0.0
    for method, path, content_type in targets:
        for name, body in corpus():
            status, seconds = send(method, path, body, content_type)
            sent += 1
            slowest = max(slowest, seconds)
            if isinstance(status, str):
                if not healthy():
                    failures.append("%s %s (%s): %s, and the server is down" % (method, path, name, status))
                    print("\n".join(failures))
                    return 1
            elif status >= 500:
                failures.append("%s %s (%s, %s): %d" % (method, path, name, content_type, status))
    if not healthy():
        failures.append("the server is not healthy after the corpus")
    print("malformed bodies: %d sent to %d operations, slowest answer %.2f s, %d failures"
          % (sent, len(targets), slowest, len(failures)))
    for failure in failures:
        print("  " + failure)
    return 1 if failures else 0

sys.exit(main())
