"""A stand-in v2 account for the inventory benchmark: one large entity set behind http.server.

Serves ``Files`` (AssetFile, the most numerous entity of a real account; no navigation to read)
in the verbose wire format the reader asks for by default, paged with ``$top``/``$skip`` and
capped at 1000 like the service, and sleeps ``--latency`` seconds before answering every page,
which is what a far-away service costs. Other sets answer an empty page. Runs as its own
process, and renders every page before it prints its port (up to ``--prerender`` entities;
past that, pages are rendered on request), so that answering costs it almost no CPU: on a
small machine the server's CPU would otherwise compete with the reader being measured, which
a real far-away service's never does. Prints its port on stdout.

    python3 bench/inventory/server.py --entities 100000 --latency 0.05
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PAGE_CAP = 1000
ENTITY_SET = "Files"
TYPE = "Microsoft.Cloud.Media.Vod.Rest.Data.Models.AssetFile"
_TEMPLATE = ""


def file_id(index: int) -> str:
    # Ids sort in index order, so $orderby=Id and $skip agree without sorting a million keys.
    return f"nb:cid:UUID:{index:08x}-0000-4000-8000-000000000000"


def file_entity_template(root: str) -> str:
    """One AssetFile as the service writes it in verbose JSON, with @..@ slots per entity."""
    uri = root + "Files('@IDQ@')"
    entity = {
        "__metadata": {"id": uri, "uri": uri, "type": TYPE},
        "Id": "@ID@",
        "Name": "video_@I@_1280x720_3400kbps.mp4",
        "ContentFileSize": "12299@I@",
        "ParentAssetId": "nb:cid:UUID:00000000-0000-4000-8000-@A@",
        "EncryptionVersion": None,
        "EncryptionScheme": None,
        "IsEncrypted": False,
        "EncryptionKeyId": None,
        "InitializationVector": None,
        "IsPrimary": "@P@",
        "LastModified": "\\/Date(@MS@)\\/",
        "Created": "\\/Date(@MS@)\\/",
        "MimeType": "video/mp4",
        "ContentChecksum": None,
        "Options": 0,
    }
    return json.dumps(entity).replace('"@P@"', "@P@").replace("@IDQ@", "@ID@")


def entity_json(index: int) -> str:
    # json.dumps of every entity would make this process, not the reader, the bottleneck
    # on a small machine: encode one entity per distinct shape, then substitute.
    return _TEMPLATE.replace("@I@", str(index)).replace("@ID@", file_id(index)).replace(
        "@MS@", str(1587084991763 + index * 1000)
    ).replace("@P@", "true" if index % 8 == 0 else "false").replace("@A@", str(index // 8))


def page_json(skip: int, top: int, count: int) -> bytes:
    results = ",".join(entity_json(i) for i in range(skip, min(skip + top, count)))
    return ('{"d":{"results":[%s]}}' % results).encode()


def prerender(entities: int) -> dict[tuple[int, int], bytes]:
    """Every page the reader asks for ($top=1000, $skip a multiple of it), and the empty one past the end."""
    return {(skip, PAGE_CAP): page_json(skip, PAGE_CAP, entities) for skip in range(0, entities + PAGE_CAP, PAGE_CAP)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real service
    entities = 0
    latency = 0.0
    root = ""
    bodies: dict[tuple[int, int], bytes] = {}  # (skip, top) -> the encoded page, rendered ahead

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        name = parts.path.rsplit("/", 1)[-1]
        if parts.path.endswith("/api/"):
            self._send(200, {"d": {"EntitySets": [ENTITY_SET]}})
            return
        if name == "$metadata":
            self._send(404, {"error": {"code": "", "message": {"lang": "en-US", "value": "not archived here"}}})
            return
        query = dict(parse_qsl(parts.query))
        skip = int(query.get("$skip", "0"))
        top = min(int(query.get("$top", PAGE_CAP)), PAGE_CAP)
        time.sleep(self.latency)
        if name != ENTITY_SET:
            self._send(200, page_json(0, 0, 0))
            return
        body = self.bodies.get((skip, top))
        self._send(200, body if body is not None else page_json(skip, top, self.entities))

    def _send(self, status: int, body: dict | str | bytes) -> None:
        data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;odata=verbose;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--prerender", type=int, default=200_000, help="render pages ahead when there are at most this many entities"
    )
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    Handler.entities, Handler.latency = args.entities, args.latency
    Handler.root = f"http://127.0.0.1:{server.server_port}/api/"
    global _TEMPLATE
    _TEMPLATE = file_entity_template(Handler.root)
    if args.entities <= args.prerender:
        Handler.bodies = prerender(args.entities)  # about 0.75 MB per 1000 entities
    print(server.server_port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
