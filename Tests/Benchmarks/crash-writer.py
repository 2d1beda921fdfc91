"""Writes to a Leadline server as fast as its threads can and records every write the server acknowledged, one line
per acknowledgement, appended with a single write() so a kill leaves no half line:
    lead <id>                (POST /api/v1/leads/inbound answered 201)
    sale <lead_id> <buyer>   (POST /api/v1/pingpost/post answered accepted)
Used by crash-drill.sh and backup-drill.sh. Runs until killed.
    python3 crash-writer.py BASE_URL KEY ACK_FILE SEED
"""
import http.client, json, os, random, sys, threading, time, urllib.parse

base, key, ack_path, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
origin = urllib.parse.urlsplit(base)
ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
counter = [0]
lock = threading.Lock()

def phone():
    with lock:
        counter[0] += 1
        n = counter[0]
    # A fresh dialable Texas number per write: seed and counter make it unique across rounds.
    return "512%03d%04d" % (200 + (seed * 7 + n // 10000) % 800, n % 10000)

def consent():
    return {"consent_type": "tcpa_express_written", "consent_text": "I agree to be contacted.", "ip_address": "203.0.113.7",
            "page_url": "https://quotes.example.com/start"}

def call(connection, method, path, body):
    connection.request(method, path, body=json.dumps(body), headers={"X-API-Key": key, "Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")

def record(line):
    os.write(ack, (line + "\n").encode())

def leads():
    connection = None
    while True:
        try:
            connection = connection or http.client.HTTPConnection(origin.hostname, origin.port, timeout=10)
            status, answer = call(connection, "POST", "/api/v1/leads/inbound", {
                "first_name": "Crash", "last_name": "Drill", "phone": phone(), "state": "TX", "zip_code": "78701",
                "campaign_type": "auto_insurance", "consent": consent()})
            if status == 201:
                record("lead " + answer["id"])
        except Exception:
            connection = None
            time.sleep(0.05)

def sales():
    connection = None
    while True:
        try:
            connection = connection or http.client.HTTPConnection(origin.hostname, origin.port, timeout=10)
            status, ping = call(connection, "POST", "/api/v1/pingpost/ping", {"campaign_type": "auto_insurance", "state": "TX", "zip_code": "78701"})
            if status != 200 or not ping.get("bids"):
                continue
            bid = ping["bids"][0]
            status, post = call(connection, "POST", "/api/v1/pingpost/post", {
                "ping_id": ping["ping_id"], "buyer_id": bid["buyer_id"], "consent": consent(),
                "lead": {"first_name": "Crash", "last_name": "Sale", "phone": phone(), "state": "TX", "zip_code": "78701"}})
            if status == 200 and post.get("accepted"):
                record("sale %s %s" % (post["lead_id"], post["buyer_id"]))
        except Exception:
            connection = None
            time.sleep(0.05)

threads = [threading.Thread(target=leads, daemon=True) for _ in range(6)] + [threading.Thread(target=sales, daemon=True) for _ in range(2)]
for thread in threads:
    thread.start()
while True:
    time.sleep(1)
