"""What every Pasifik endpoint shares: authentication, bodies, errors, dates.

The document (``pasifik-telekom-api-v2.txt``) shows no error body at all,
only a status-code table ("Errors") and the sentence "If the Content-Type is
not specified you will receive a General error". The emulator answers every
error in one form built from that table::

    {"code": "401", "description": "Unauthorized – Your API key is wrong"}

with ``errors: {field: [message]}`` added when a field is at fault. The
choice is written down in ``docs/providers.md``.
"""

# The error texts are quoted from the document, en dashes and curly quotes included.

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..core import ProviderSandbox, json_response

DEMO_CREDENTIALS = {"username": "demo", "password": "demo-pass"}
LANGUAGES = ("tr", "en", "ar")

# The provider shows wall-clock texts ("12.03.2016 - 19:58") in Turkish time;
# Turkey has kept UTC+3 all year since 2016, so a fixed offset is exact.
ISTANBUL = timezone(timedelta(hours=3), "Europe/Istanbul")

UTC_DATETIME = "%Y-%m-%dT%H:%M:%SZ"  # scheduled_delivery_time, tel/history dates
TURKISH_DATE = "%d.%m.%Y"  # sms/query/multi, fax/query/report, fax/query/inbox
TURKISH_DATETIME = "%d.%m.%Y - %H:%M"  # "created", "lastupdated", "datetime" in answers
PBX_DATETIME = "%Y-%m-%d %H:%M:%S"  # pbx/cdr dates and "calldate"
PBX_DATE = "%Y-%m-%d"  # pbx/cdr/wav "calldate"

# The meanings of the document's "Errors" table, word for word.
ERROR_MEANINGS = {
    400: "Bad Request – Your request sucks",
    401: "Unauthorized – Your API key is wrong",
    403: "Forbidden – The kitten requested is hidden for administrators only",
    404: "Not Found – The specified kitten could not be found",
    405: "Method Not Allowed – You tried to access a kitten with an invalid method",
    406: "Not Acceptable – You requested a format that isn’t json",
    410: "Gone – The kitten requested has been removed from our servers",
    418: "I’m a teapot",
    429: "Too Many Requests – You’re requesting too many kittens! Slow down!",
    500: "Internal Server Error – We had a problem with our server. Try again later.",
}

GENERAL_ERROR = "General error"

# Response texts in the language of the URL. Keys are the English texts.
_TEXTS: dict[str, dict[str, str]] = {
    "OK": {"tr": "OK", "ar": "OK"},
    GENERAL_ERROR: {"tr": "Genel hata", "ar": "خطأ عام"},
    "It was delivered": {"tr": "İletildi", "ar": "تم التسليم"},
    "Waiting for delivery": {"tr": "İletim bekleniyor", "ar": "في انتظار التسليم"},
    "Unknown subscriber": {"tr": "Bilinmeyen abone", "ar": "مشترك غير معروف"},
    "Validity period expired": {"tr": "Geçerlilik süresi doldu", "ar": "انتهت فترة الصلاحية"},
    "This field is required.": {"tr": "Bu alan zorunludur.", "ar": "هذا الحقل مطلوب."},
    "Insufficient balance.": {"tr": "Yetersiz bakiye.", "ar": "رصيد غير كاف."},
}


def translate(text: str, lang: str) -> str:
    return _TEXTS.get(text, {}).get(lang, text)


class ApiError(Exception):
    """An answer in the provider's error form; raised anywhere, rendered by ``dispatch``."""

    def __init__(
        self,
        status: int,
        description: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description or ERROR_MEANINGS.get(status, ""))
        self.status = status
        self.description = description or ERROR_MEANINGS.get(status, "")
        self.errors = errors or {}
        self.extra = extra or {}
        self.headers = headers

    def response(self, lang: str) -> Response:
        body: dict[str, Any] = dict(self.extra)
        body.update({"code": str(self.status), "description": translate(self.description, lang)})
        if self.errors:
            body["errors"] = {
                field: [translate(message, lang) for message in messages] for field, messages in self.errors.items()
            }
        return json_response(body, status=self.status, headers=self.headers)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, ERROR_MEANINGS[400], errors={field: [message]})


def seeded(*parts: object) -> random.Random:
    """A generator that depends only on ``parts``: the same demo data every run."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def money(value: Decimal) -> float:
    """A JSON number as the document shows balances (``718.21``)."""
    return float(value)


class PasifikBase(ProviderSandbox):
    """Request plumbing shared by the SMS, telephone, PBX and fax mixins."""

    name = "pasifik"

    # --- routing ------------------------------------------------------------

    @staticmethod
    def api_rule(path: str, endpoint: str) -> Rule:
        return Rule(f"/<any({', '.join(LANGUAGES)}):lang>/api/{path}", endpoint=endpoint, methods=["POST"])

    def dispatch(self, request: Request, endpoint: str, values: Mapping[str, Any]) -> Response:
        try:
            response = super().dispatch(request, endpoint, values)
        except ApiError as error:
            response = error.response(values.get("lang", "en"))
        # "Depending which Accept type is chosen ... the same one will be applied in the response."
        accept = request.headers.get("Accept", "")
        if "xml" in accept and "json" not in accept and response.mimetype == "application/json":
            return _as_xml(response)
        return response

    # --- the framework's injected faults, in this provider's own forms -----

    def expired_token_response(self) -> Response:
        return ApiError(401, headers={"WWW-Authenticate": 'Basic realm="api"'}).response("en")

    def malformed_response(self) -> Response:
        return Response("<html><body><h1>502 Bad Gateway</h1>", status=200, content_type="application/json")

    # --- what every call checks ---------------------------------------------

    def authenticate(self, request: Request) -> None:
        """``Authorization: base64(username:password)``, bare as documented or with ``Basic ``."""
        value = (request.headers.get("Authorization") or "").strip()
        if value[:6].lower() == "basic ":
            value = value[6:].strip()
        try:
            username, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            username = password = ""
        if not value or (username, password) != (DEMO_CREDENTIALS["username"], DEMO_CREDENTIALS["password"]):
            raise ApiError(401, headers={"WWW-Authenticate": 'Basic realm="api"'})

    def check_accept(self, request: Request, *, binary: bool = False) -> None:
        accepted = request.headers.get("Accept", "").strip()
        if not accepted:
            return
        fine: tuple[str, ...] = ("application/json", "application/xml", "text/xml", "*/*", "application/*")
        if binary:
            fine = (*fine, "application/octet-stream", "octet-stream", "audio/", "image/", "application/pdf")
        if not any(kind in accepted for kind in fine):
            raise ApiError(406)

    def json_body(self, request: Request, *, binary: bool = False) -> dict[str, Any]:
        """Authenticates, then reads the JSON (or flat XML) body every POST carries."""
        self.authenticate(request)
        self.check_accept(request, binary=binary)
        mimetype = request.mimetype
        if mimetype not in ("application/json", "application/xml", "text/xml"):
            raise ApiError(400, GENERAL_ERROR)
        raw = request.get_data(cache=True)
        if mimetype != "application/json":
            return _flat_xml(raw)
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, GENERAL_ERROR, errors={"body": [f"JSON parse error: {exc}"]}) from exc
        if not isinstance(body, dict):
            raise ApiError(400, GENERAL_ERROR, errors={"body": ["Expected a JSON object."]})
        return body

    def now(self) -> datetime:
        return self.clock.now()


# --- field readers: each raises the document's 400 naming the field ----------


def required_str(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise invalid(field, "This field is required.")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise invalid(field, "Not a valid string.")
    return str(value).strip()


def optional_bool(body: dict[str, Any], field: str, default: bool = False) -> bool:
    value = body.get(field, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid(field, "Must be a valid boolean.")


def optional_int(body: dict[str, Any], field: str, default: int | None = None) -> int | None:
    value = body.get(field)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise invalid(field, "A valid integer is required.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(field, "A valid integer is required.") from None


def required_int(body: dict[str, Any], field: str) -> int:
    value = optional_int(body, field)
    if value is None:
        raise invalid(field, "This field is required.")
    return value


def required_list(body: dict[str, Any], field: str) -> list[Any]:
    """A non-empty JSON array, or what PHP's ``json_encode`` makes of an array whose keys are not
    0..n-1 (after ``unset`` or ``array_filter``): an object keyed ``"0"``, ``"2"``…, read in key order."""
    value = body.get(field)
    if isinstance(value, dict):
        keys = list(value)
        if not all(isinstance(key, str) and key.isdigit() for key in keys):
            bad = next(key for key in keys if not (isinstance(key, str) and key.isdigit()))
            raise invalid(field, f"Expected a list, or an object keyed by numbers (0, 1, 2…); got the key {bad!r}.")
        value = [value[key] for key in sorted(keys, key=int)]
    if value is None or (isinstance(value, list | str) and not value):
        raise invalid(field, "This field is required.")
    if not isinstance(value, list):
        raise invalid(field, f'Expected a list of items but got type "{type(value).__name__}".')
    return value


def parse_datetime(value: Any, field: str, fmt: str, *, tz: timezone = UTC) -> datetime:
    if not isinstance(value, str):
        raise invalid(field, f"Datetime has wrong format. Use this format: {fmt}.")
    try:
        return datetime.strptime(value.strip(), fmt).replace(tzinfo=tz)
    except ValueError:
        raise invalid(field, f"Datetime has wrong format. Use this format: {fmt}.") from None


def optional_datetime(body: dict[str, Any], field: str, fmt: str, *, tz: timezone = UTC) -> datetime | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    return parse_datetime(value, field, fmt, tz=tz)


def turkish_date_range(body: dict[str, Any]) -> tuple[datetime, datetime]:
    """``start_date``/``end_date`` as "%d.%m.%Y", both required, end day inclusive (Istanbul days)."""
    start = parse_datetime(required_str(body, "start_date"), "start_date", TURKISH_DATE, tz=ISTANBUL)
    end = parse_datetime(required_str(body, "end_date"), "end_date", TURKISH_DATE, tz=ISTANBUL)
    if end < start:
        raise invalid("end_date", "end_date must not be before start_date.")
    return start, end + timedelta(days=1)


def turkish_time(moment: datetime) -> str:
    return moment.astimezone(ISTANBUL).strftime(TURKISH_DATETIME)


def like(pattern: str, value: str) -> bool:
    """The documented ``%`` search ("%08509999999"): SQL LIKE, otherwise an exact match."""
    if "%" not in pattern:
        return value == pattern
    parts = pattern.split("%")
    if not value.startswith(parts[0]) or not value.endswith(parts[-1]):
        return False
    position = len(parts[0])
    for middle in parts[1:-1]:
        found = value.find(middle, position)
        if found < 0:
            return False
        position = found + len(middle)
    return position <= len(value) - len(parts[-1])


def _flat_xml(raw: bytes) -> dict[str, Any]:
    """Reads ``<request><from>X</from><envelopes><envelope>..</envelope></envelopes></request>``.

    The document says XML is accepted but shows none; this is the obvious
    mapping of its JSON bodies. Entity declarations are refused outright.
    """
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise ApiError(400, GENERAL_ERROR)
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(raw)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ElementTree.ParseError as exc:
        raise ApiError(400, GENERAL_ERROR, errors={"body": [f"XML parse error: {exc}"]}) from exc

    def convert(element: ElementTree.Element) -> Any:
        children = list(element)
        if not children:
            return (element.text or "").strip()
        if (len({child.tag for child in children}) == 1 and len(children) > 1) or element.tag.endswith(("s", "list")):
            return [convert(child) for child in children]
        return {child.tag: convert(child) for child in children}

    converted = convert(root)
    return converted if isinstance(converted, dict) else {}


_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _as_xml(response: Response) -> Response:
    """The JSON answer as XML: objects become elements, lists repeat ``<item>``.

    The document promises XML answers but shows none; this is the plain mapping.
    Keys that are not XML names (the numeric SIP extension names) become
    ``<item key="...">``.
    """
    from xml.etree import ElementTree

    def build(parent: ElementTree.Element, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if _XML_NAME.match(str(key)):
                    child = ElementTree.SubElement(parent, str(key))
                else:
                    child = ElementTree.SubElement(parent, "item", key=str(key))
                build(child, item)
        elif isinstance(value, list):
            for item in value:
                build(ElementTree.SubElement(parent, "item"), item)
        elif isinstance(value, bool):
            parent.text = "true" if value else "false"
        elif value is not None:
            parent.text = str(value)

    root = ElementTree.Element("response")
    build(root, json.loads(response.get_data()))
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, status=response.status_code, content_type="application/xml; charset=utf-8")
