"""One interface over the four providers' fax APIs, with what each one can do.

A gateway turns a provider account into plain answers the fax services persist:
``send`` one document to one number, ``track`` a sent fax, ``find_sent`` a fax
whose send answer never came back, ``incoming`` faxes, their documents, and
``retry`` / ``cancel`` where the provider has them. Only services call gateways.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from accounts.provider_clients import client_for
from accounts.provider_spec import ProviderSpec
from accounts.stored_text import StoredText, stored
from providers.files import JPEG, PDF, PNG, TIFF
from providers.records import OnSkip
from providers.schema import Record
from providers.transport import REFUSED

if TYPE_CHECKING:
    from accounts.models import ProviderAccount
    from fax.models import Fax

MB = 1024 * 1024
ClientT = TypeVar("ClientT")


@dataclass(frozen=True)
class Capabilities:
    several_recipients: bool  # one request may address several numbers
    schedule: bool
    status: bool  # can follow one sent fax
    outgoing_list: bool
    incoming_list: bool
    download: bool  # the transmitted document can be fetched back from the provider
    retry: bool
    cancel: bool
    quality: bool  # the provider takes a fine/normal resolution flag
    upload_types: frozenset[str]  # what the compose form accepts (by content)
    transmit_types: frozenset[str]  # what we may hand the provider as the transmitted document
    max_file_bytes: int
    max_files: int = 10
    office_files: bool = False  # doc/docx/xls/xlsx sent as they are (only the provider renders them)
    needs_our_number: bool = True  # Telphin sends from the extension: no number to choose

    @property
    def takes_tiff(self) -> bool:
        return TIFF in self.transmit_types


@dataclass(frozen=True)
class Submitted:
    provider_id: str
    provider_status: str = ""
    status: str = "sending"  # our normalized status
    ref: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tracked:
    status: str  # queued | sending | sent | failed | cancelled
    provider_status: str
    pages: int | None = None
    message: str = ""


@dataclass(frozen=True)
class Incoming:
    provider_id: str
    remote_number: str
    our_number: str
    received_at: datetime | None
    provider_status: str = ""
    pages: int | None = None
    ref: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # the provider's record as it came


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


class Unsupported(Exception):
    """The provider has no such operation."""


class Gateway(Generic[ClientT]):
    """A provider's fax API; ``spec`` says which provider kind (and which client) it serves."""

    spec: ClassVar[ProviderSpec[Any, Any]]
    capabilities: ClassVar[Capabilities]
    # a multi-service account (Pasifik: SMS, calls, fax) is polled for faxes only once it has a fax number
    poll_only_with_numbers: ClassVar[bool] = False
    # provider field name -> compose-form field name, for provider validation errors
    field_map: ClassVar[dict[str, str]] = {}

    def __init__(self, account: ProviderAccount, client: ClientT | None = None) -> None:
        self.account = account
        self.client: ClientT = client if client is not None else client_for(account, self.spec)

    def close(self) -> None:
        closer: Callable[[], None] | None = getattr(self.client, "close", None)
        if closer is not None:
            closer()

    def send(self, *, fax: Fax, documents: list[Document], fine: bool, scheduled_at: datetime | None) -> Submitted:
        raise NotImplementedError

    def remember_before_submit(self, fax: Fax, ref: dict[str, Any]) -> None:
        """Saves what identifies a send at the provider before the call whose answer may be lost."""
        from fax.models import Fax as FaxModel

        fax.provider_ref = {**fax.provider_ref, **ref}
        FaxModel.objects.filter(pk=fax.pk).update(provider_ref=fax.provider_ref)

    def track(self, fax: Fax) -> Tracked:
        raise Unsupported

    def find_sent(self, fax: Fax, *, since: datetime) -> Submitted | None:
        """The provider's record of a send whose answer we never got, or None when it has none."""
        raise Unsupported

    def incoming(self, *, since: datetime, on_skip: OnSkip | None = None) -> list[Incoming]:
        """Received faxes since ``since``; a record the client cannot read goes to ``on_skip``, not in the list."""
        raise Unsupported

    def incoming_document(self, item: Fax) -> Document:
        raise Unsupported

    def sent_document(self, fax: Fax) -> Document:
        raise Unsupported

    @classmethod
    def can_retry(cls, fax: Fax) -> bool:
        return False

    @classmethod
    def can_cancel(cls, fax: Fax) -> bool:
        return False

    def retry(self, fax: Fax) -> Tracked:
        raise Unsupported

    def cancel(self, fax: Fax) -> Tracked:
        raise Unsupported

    def map_fields(self, field_errors: dict[str, list[str]]) -> dict[str, list[StoredText | str]]:
        mapped: dict[str, list[StoredText | str]] = {}
        for name, messages in field_errors.items():
            target = self.field_map.get(name) or self.field_map.get(name.split(".")[0]) or "__all__"
            mapped.setdefault(target, []).extend(_field_problem(name, m) for m in messages)
        return mapped


def _field_problem(name: str, message: Any) -> StoredText | str:
    """The provider's words about a field as they came; our own "refused" note as a key."""
    if message == f"{name}: {REFUSED}":
        return stored("field_refused", field=name)
    return str(message)


def raw_record(item: Any) -> dict[str, Any]:
    """A client's parsed record as plain data, for keeping what the provider sent."""
    raw = getattr(item, "raw", None)
    if isinstance(raw, dict) and raw:
        return dict(raw)
    if isinstance(item, Record):
        return item.model_dump(exclude={"raw"})
    return {}


def digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


IMAGES = frozenset({PDF, TIFF, PNG, JPEG})
