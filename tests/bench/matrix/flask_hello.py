"""flask_hello.py: the Flask target of the benchmark matrix, served by gunicorn sync workers.

Same tiny plain-text reply as every other target; bench.sh runs
`gunicorn -w N -b 127.0.0.1:PORT flask_hello:app` from this directory.
"""
from flask import Flask, Response

app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def hello(path):
    return Response("Hello, world\n", mimetype="text/plain")
