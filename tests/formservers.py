"""Local stand-ins for KoboToolbox (KPI API v2) and ODK Central (OData), faithful in what
tawthiq relies on: auth headers, envelopes, paging links, filters, edits, attachments, and
faults queued on demand (401, 403, 429 with Retry-After, 500, malformed bodies, slow replies)."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import re
import time
import uuid as uuidlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.newsserver import NewsServer, Reply, Request

JSON = {"Content-Type": "application/json"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 300


def _json(status: int, body: Any) -> Reply:
    return status, dict(JSON), json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass
class Faults:
    """Replies served before the real one, for the next requests whose path starts with a
    prefix. ``"slow:N"`` sleeps N seconds then answers normally."""

    queued: deque = field(default_factory=deque)

    def add(self, prefix: str, reply: Reply | str, times: int = 1) -> None:
        for _ in range(times):
            self.queued.append((prefix, reply))

    def take(self, path: str) -> Reply | None:
        for entry in list(self.queued):
            prefix, reply = entry
            if path.startswith(prefix):
                self.queued.remove(entry)
                if isinstance(reply, str) and reply.startswith("slow:"):
                    time.sleep(float(reply.split(":")[1]))
                    return None
                return reply  # type: ignore[return-value]
        return None


def family_answers(name: str, **extra: Any) -> dict[str, Any]:
    """A family form as KoboToolbox serves it: flat ``group/question`` keys."""
    answers = {
        "group_victim/victim_name": name,
        "group_victim/sex": "male",
        "group_victim/age": "٣٥",
        "group_death/date_of_death": "2023-12-15",
        "group_death/death_governorate": "idlib",
        "group_death/death_locality": "Ariha",
        "group_death/cause": "airstrike",
        "group_death/perpetrator": "russian_forces",
        "group_submitter/submitter_relation": "sibling",
        "group_submitter/submitter_name": "Fatima",
        "group_submitter/submitter_contact": "+963 944 000 111",
        "group_submitter/consent_follow_up": "yes",
    }
    answers.update(extra)
    return answers


class KoboServer(NewsServer):
    TOKEN = "kobo-test-token"
    ASSET = "aXecHjmbATuF6iGFmvBLBX"
    MAX_LIMIT = 1000

    def __init__(self) -> None:
        super().__init__()
        self.submissions: list[dict[str, Any]] = []
        self.faults = Faults()
        self.attachments: dict[str, bytes] = {}
        self.honour_sort = True
        self._next_id = 1000
        self.routes[f"/api/v2/assets/{self.ASSET}/data/"] = self._data

    def add(self, answers: dict[str, Any], submitted: str, photo: bytes | None = None, root_uuid: bool = True) -> dict[str, Any]:
        self._next_id += 1
        uid = str(uuidlib.uuid4())
        sub = {"_id": self._next_id, "formhub/uuid": "f" * 32, "start": submitted, "end": submitted,
               "__version__": "vZ8jX5", "meta/instanceID": f"uuid:{uid}", "_xform_id_string": self.ASSET,
               "_uuid": uid, "_attachments": [], "_status": "submitted_via_web", "_geolocation": [None, None],
               "_submission_time": submitted, "_tags": [], "_notes": [], "_validation_status": {}, "_submitted_by": None}
        if root_uuid:
            sub["meta/rootUuid"] = f"uuid:{uid}"
        sub.update(answers)
        if photo is not None:
            self.attach(sub, "photo_1.jpg", photo)
        self.submissions.append(sub)
        return sub

    def attach(self, sub: dict[str, Any], filename: str, content: bytes) -> None:
        att_id = len(self.attachments) + 1
        path = f"/api/v2/assets/{self.ASSET}/data/{sub['_id']}/attachments/{att_id}/"
        self.attachments[path] = content
        self.routes[path] = functools.partial(self._attachment, path=path)
        sub["_attachments"].append({"download_url": self.base + path, "mimetype": "image/jpeg",
                                    "filename": f"kobo/attachments/{'f' * 32}/{sub['_uuid']}/{filename}",
                                    "media_file_basename": filename, "uid": f"att{att_id}", "is_deleted": False,
                                    "question_xpath": "group_files/photo_1"})

    def edit(self, sub: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """Edit as KoboToolbox does: new ``_uuid``/instanceID, ``deprecatedID`` pointing at the
        previous one, same ``_id``, same ``_submission_time``, same ``rootUuid``."""
        new_uuid = str(uuidlib.uuid4())
        edited = {**sub, **changes, "_uuid": new_uuid, "meta/instanceID": f"uuid:{new_uuid}",
                  "meta/deprecatedID": sub["meta/instanceID"]}
        self.submissions[self.submissions.index(sub)] = edited
        return edited

    def _auth(self, request: Request) -> Reply | None:
        header = request.headers.get("authorization", "")
        if not header:
            return _json(401, {"detail": "Authentication credentials were not provided."})
        if header != f"Token {self.TOKEN}":
            return _json(401, {"detail": "Invalid token."})
        return None

    def _attachment(self, request: Request, path: str) -> Reply:
        return self._auth(request) or self.faults.take(path) or (200, {"Content-Type": "image/jpeg"}, self.attachments[path])

    def _data(self, request: Request) -> Reply:
        refused = self._auth(request)
        if refused:
            return refused
        fault = self.faults.take(urlsplit(request.path).path)
        if fault:
            return fault
        query = parse_qs(urlsplit(request.path).query)
        start = int(query.get("start", ["0"])[0])
        limit = min(int(query.get("limit", ["100"])[0]), self.MAX_LIMIT)
        rows = list(self.submissions)
        if "query" in query:
            mongo = json.loads(query["query"][0])
            bound = mongo.get("_submission_time", {}).get("$gte")
            if bound:
                rows = [r for r in rows if r["_submission_time"] >= bound]
        if self.honour_sort and "sort" in query and json.loads(query["sort"][0]).get("_submission_time") == 1:
            rows.sort(key=lambda r: (r["_submission_time"], r["_id"]))
        page = rows[start:start + limit]
        base = f"{self.base}/api/v2/assets/{self.ASSET}/data/"

        def link(offset: int) -> str:
            params = {k: v[0] for k, v in query.items()}
            params["start"] = str(offset)
            return f"{base}?{urlencode(params)}"

        return _json(200, {"count": len(rows), "next": link(start + limit) if start + limit < len(rows) else None,
                           "previous": link(max(0, start - limit)) if start else None, "results": page})


class OdkServer(NewsServer):
    EMAIL = "documenter@example.org"
    PASSWORD = "correct horse battery"
    PROJECT = 3
    FORM = "tawthiq_family_form"

    def __init__(self) -> None:
        super().__init__()
        self.submissions: list[dict[str, Any]] = []
        self.faults = Faults()
        self.tokens: set[str] = set()
        self.files: dict[tuple[str, str], bytes] = {}
        self.form_path = f"/v1/projects/{self.PROJECT}/forms/{self.FORM}"
        self.routes["/v1/sessions"] = self._session
        self.routes[f"{self.form_path}.svc/Submissions"] = self._submissions
        self.page_size_cap = 1000

    @staticmethod
    def now() -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def add(self, victim: dict[str, Any], submitter: dict[str, Any], submitted: str, photo: bytes | None = None) -> dict[str, Any]:
        instance = f"uuid:{uuidlib.uuid4()}"
        sub = {"__id": instance, "meta": {"instanceID": instance}, "start": submitted, "end": submitted,
               "group_victim": victim, "group_submitter": submitter,
               "group_files": {"photo_1": "photo_1.jpg" if photo else None},
               "__system": {"submissionDate": submitted, "updatedAt": None, "submitterId": "5", "submitterName": "Collect",
                            "attachmentsPresent": 1 if photo else 0, "attachmentsExpected": 1 if photo else 0,
                            "status": None, "reviewState": None, "deviceId": "collect:abc", "edits": 0, "formVersion": "2026112501"}}
        if photo:
            self.files[(instance, "photo_1.jpg")] = photo
        self.submissions.append(sub)
        self._routes_for(sub)
        return sub

    def _routes_for(self, sub: dict[str, Any]) -> None:
        from urllib.parse import quote

        base = f"{self.form_path}/submissions/{quote(sub['__id'], safe='')}/attachments"
        self.routes[base] = functools.partial(self._attachment_list, sub=sub)
        self.routes[f"{base}/photo_1.jpg"] = functools.partial(self._attachment, sub=sub, name="photo_1.jpg")

    def edit(self, sub: dict[str, Any], group: str, **changes: Any) -> None:
        """Edit as Central does: same ``__id``, a new instanceID, ``updatedAt`` set, edits + 1."""
        previous = sub["meta"]["instanceID"]
        sub["meta"] = {"instanceID": f"uuid:{uuidlib.uuid4()}", "deprecatedID": previous}
        sub[group] = {**sub[group], **changes}
        sub["__system"]["updatedAt"] = self.now()
        sub["__system"]["edits"] += 1

    def _authorised(self, request: Request) -> Reply | None:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer ") and header[7:] in self.tokens:
            return None
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            if (user, password) == (self.EMAIL, self.PASSWORD):
                return None
        return _json(401, {"code": 401.2, "message": "Could not authenticate with the provided credentials."})

    def _session(self, request: Request) -> Reply:
        fault = self.faults.take("/v1/sessions")
        if fault:
            return fault
        if request.method != "POST":
            return _json(405, {"message": "method not allowed"})
        body = json.loads(request.body or b"{}")
        if body.get("email") != self.EMAIL or body.get("password") != self.PASSWORD:
            return _json(401, {"code": 401.2, "message": "Could not authenticate with the provided credentials."})
        token = uuidlib.uuid4().hex
        self.tokens.add(token)
        return _json(200, {"token": token, "csrf": "x", "expiresAt": "2099-01-01T00:00:00.000Z", "createdAt": self.now()})

    def _attachment_list(self, request: Request, sub: dict[str, Any]) -> Reply:
        return self._authorised(request) or _json(200, [{"name": name, "exists": True} for (iid, name) in self.files if iid == sub["__id"]])

    def _attachment(self, request: Request, sub: dict[str, Any], name: str) -> Reply:
        return self._authorised(request) or (200, {"Content-Type": "image/jpeg"}, self.files[(sub["__id"], name)])

    def _submissions(self, request: Request) -> Reply:
        refused = self._authorised(request)
        if refused:
            return refused
        fault = self.faults.take(urlsplit(request.path).path)
        if fault:
            return fault
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        rows = list(reversed(self.submissions))  # Central lists newest first
        if "$filter" in query:
            match = re.fullmatch(r"__system/submissionDate ge (\S+) or __system/updatedAt ge (\S+)", query["$filter"])
            if not match:
                return _json(400, {"code": 400.18, "message": f"The given OData filter expression is not supported: {query['$filter']}"})
            bound = match.group(1)
            rows = [r for r in rows if r["__system"]["submissionDate"] >= bound or (r["__system"]["updatedAt"] or "") >= bound]
        top = min(int(query.get("$top", "1000")), self.page_size_cap)
        skip = int(base64.b64decode(query["$skiptoken"][2:]).decode().split(":")[1]) if "$skiptoken" in query else 0
        page = rows[skip:skip + top]
        body: dict[str, Any] = {"@odata.context": f"{self.base}{self.form_path}.svc/$metadata#Submissions", "value": page}
        if query.get("$count") == "true":
            body["@odata.count"] = len(rows)
        if skip + top < len(rows):
            params = {k: v for k, v in query.items() if k != "$skiptoken"}
            params["$skiptoken"] = "01" + base64.b64encode(f"skip:{skip + top}".encode()).decode()
            body["@odata.nextLink"] = f"{self.base}{self.form_path}.svc/Submissions?{urlencode(params)}"
        return _json(200, body)
