#!/usr/bin/python3
"""The origin's kind of app: Flask + prometheus_client, for integration tests.

Binds 127.0.0.1 on an ephemeral port and prints "PORT <n>" on stdout once it
listens. Endpoints:
  /metrics  prometheus_client's exposition, served the way the origin's app
            does (Flask Response with CONTENT_TYPE_LATEST, which makes
            Werkzeug send `charset=utf-8` twice)
  /work     counts a request (app_requests_total)
  /gzip     the exposition gzip-compressed (Content-Encoding: gzip)
  /big      about 10 MB of valid exposition
  /bad      a body with a syntax error on line 3
  /hang     never answers (a target that times out)
"""
import gzip
import sys
import time

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest
from werkzeug.serving import make_server

app = Flask(__name__)
REQUESTS = Counter("app_requests", "Requests served by the app.", ["path"])
IN_FLIGHT = Gauge("app_in_flight", "Requests in flight.")
REQUESTS.labels(path="/").inc()


@app.route("/metrics")
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


@app.route("/work")
def work():
    REQUESTS.labels(path="/work").inc()
    return "ok"


@app.route("/gzip")
def gzipped():
    resp = Response(gzip.compress(generate_latest()), mimetype=CONTENT_TYPE_LATEST)
    resp.headers["Content-Encoding"] = "gzip"
    return resp


@app.route("/big")
def big():
    line = 'big_series{{idx="{}",pad="{}"}} 1\n'
    pad = "x" * 80
    body = "".join(line.format(i, pad) for i in range(100_000))
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


@app.route("/bad")
def bad():
    return Response("good_one 1\ngood_two 2\nbroken{a=\"1\" 3\n", mimetype=CONTENT_TYPE_LATEST)


@app.route("/hang")
def hang():
    time.sleep(3600)
    return "late"


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()
