#!/usr/bin/python3
"""The origin's Flask app: a small web service instrumented with
prometheus_client, scraped by Kubescrape through the pod annotations
prometheus.io/scrape, prometheus.io/port (8001) and prometheus.io/path.

Metrics on /metrics:
  flask_http_requests_total{method,endpoint,status}     requests served
  flask_http_request_duration_seconds{method,endpoint}   latency histogram
  flask_http_requests_in_progress                        requests being served
  flask_app_build_info{version,python}                   always 1

Logs: one JSON object per line on stdout (ts, level, msg, method, path,
status, duration_ms), the shape Loki and the Grafana Agent pick up.

Environment: HOST (default 0.0.0.0), PORT (default 8001), APP_VERSION.
"""
import json
import logging
import os
import platform
import random
import sys
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

VERSION = os.environ.get("APP_VERSION", "1.0.0")

app = Flask(__name__)

REQUESTS = Counter("flask_http_requests", "HTTP requests served.", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "flask_http_request_duration_seconds",
    "HTTP request latency.",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
IN_PROGRESS = Gauge("flask_http_requests_in_progress", "HTTP requests being served.")
BUILD_INFO = Gauge("flask_app_build_info", "Build information.", ["version", "python"])
BUILD_INFO.labels(version=VERSION, python=platform.python_version()).set(1)


def log(level, msg, **fields):
    record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z", "level": level, "msg": msg}
    record.update(fields)
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


@app.before_request
def start_timer():
    g.start = time.perf_counter()
    if request.path != "/metrics":
        IN_PROGRESS.inc()


@app.after_request
def record(response):
    if request.path == "/metrics":
        return response
    IN_PROGRESS.dec()
    elapsed = time.perf_counter() - g.start
    endpoint = request.url_rule.rule if request.url_rule else "unknown"
    LATENCY.labels(request.method, endpoint).observe(elapsed)
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    log("info", "request", method=request.method, path=request.path, status=response.status_code,
        duration_ms=round(elapsed * 1000, 3))
    return response


@app.route("/")
def index():
    return {"service": "flask-minio", "version": VERSION}


@app.route("/api/items")
def items():
    time.sleep(random.uniform(0, 0.02))
    return {"items": ["a", "b", "c"]}


@app.route("/api/fail")
def fail():
    return {"error": "simulated failure"}, 500


@app.route("/metrics")
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


if __name__ == "__main__":
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8001"))
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # our own JSON access log is enough
    server = make_server(host, port, app, threaded=True)
    # The bound port (PORT=0 picks one): tests and the demo read it here.
    log("info", "listening", host=host, port=server.server_port, version=VERSION)
    server.serve_forever()
