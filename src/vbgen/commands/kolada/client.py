"""A small typed client for Kolada's open API, version 3 (``https://api.kolada.se/v3``).

Three questions are asked: which of some KPI ids exist (``/kpi/{ids}``), which of some
kommun and län ids exist (``/municipality/{ids}``), and the values of some KPIs for some
kommuner and years (``/data/kpi/{ids}/municipality/{ids}/year/{years}``). Ids go at most
:data:`BATCH` to a request; every answer is followed through its ``next_page``. An answer
is ``{"count": n, "values": [...], "next_page": url or null}``; a value of the data is
``{"kpi", "municipality", "period", "values": [{"gender": "T"|"K"|"M", "value": number or
null, "count", "status"}]}``, and an entry or a value marked ``is_deleted`` is not there.

Every failure (no connection, a timeout, an HTTP error, an answer of another shape) is a
:class:`KoladaError` with a Swedish message; nothing else leaves this module.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: The address of Kolada's API, version 3.
DEFAULT_BASE = "https://api.kolada.se/v3"
#: The most ids of one kind in one request (Kolada refuses longer lists).
BATCH = 25
#: Seconds to wait for an answer.
TIMEOUT = 30.0
#: The most pages one question may have: an answer that always names a next page stops here.
MAX_PAGES = 200
#: The largest answer read, in bytes.
MAX_ANSWER = 50 * 1024 * 1024
GENDERS = ("T", "K", "M")


class KoladaError(Exception):
    """A question to Kolada that got no usable answer; the message is Swedish. ``network``
    when the fault lies in reaching Kolada (no connection, a timeout, a server error)."""

    def __init__(self, message: str, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


@dataclass(frozen=True)
class Value:
    """One value of Kolada: a KPI for a kommun (or län, or riket) in a year and a kön;
    ``varde`` is None where Kolada has no value."""

    kpi: str
    kommun: str
    ar: int
    kon: str
    varde: float | None


def _batches(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), BATCH):
        yield items[i:i + BATCH]


class Client:
    """Questions to Kolada at ``base`` (configurable, so that tests serve their own)."""

    def __init__(self, base: str = DEFAULT_BASE, timeout: float = TIMEOUT) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        parts = urllib.parse.urlsplit(self.base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KoladaError(f"Koladas adress \u201d{base}\u201d är ingen http- eller "
                              "https-adress")
        self._origin = (parts.scheme, parts.netloc)

    # --- HTTP ---------------------------------------------------------------------------

    def _get(self, url: str) -> dict[str, Any]:
        """The JSON object Kolada answers at ``url``."""
        request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                       "User-Agent": "vbgen"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as exc:
            exc.close()  # the error holds the answer's connection open
            raise KoladaError(f"Kolada svarade med fel {exc.code} ({exc.reason}) på {url}",
                              network=exc.code >= 500) from None
        except TimeoutError:
            raise KoladaError(f"Kolada svarade inte inom {self.timeout:g} sekunder "
                              f"({url}); försök igen senare", network=True) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise KoladaError(f"Kolada svarade inte inom {self.timeout:g} sekunder "
                                  f"({url}); försök igen senare", network=True) from None
            raise KoladaError(f"kunde inte nå Kolada på {self.base} ({reason}); kontrollera "
                              "nätverket eller adressen", network=True) from None
        except OSError as exc:
            raise KoladaError(f"kunde inte nå Kolada på {self.base} ({exc}); kontrollera "
                              "nätverket eller adressen", network=True) from None
        if len(raw) > MAX_ANSWER:
            raise KoladaError(f"Koladas svar på {url} är större än {MAX_ANSWER // 1024 // 1024}"
                              " MB; vbgen läser det inte")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _shape(url, "svaret är ingen JSON") from None
        if not isinstance(data, dict):
            raise _shape(url, "svaret är inget JSON-objekt")
        return data

    def _pages(self, path: str) -> list[dict[str, Any]]:
        """Every item of the answer at ``path``, through all its pages."""
        url: str | None = f"{self.base}/{path}"
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise _shape(url, "sidorna tar aldrig slut (next_page pekar tillbaka)")
            seen.add(url)
            answer = self._get(url)
            values = answer.get("values")
            if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
                raise _shape(url, "fältet values saknas eller är ingen lista av objekt")
            count = answer.get("count")
            if count is not None and (not isinstance(count, int) or count < 0):
                raise _shape(url, "fältet count är inget antal")
            items += values
            url = self._next(url, answer.get("next_page"))
        return items

    def _next(self, url: str, following: Any) -> str | None:
        """The next page's address, which must be on Kolada's own server."""
        if following in (None, ""):
            return None
        if not isinstance(following, str):
            raise _shape(url, "fältet next_page är ingen adress")
        absolute = urllib.parse.urljoin(url, following)
        parts = urllib.parse.urlsplit(absolute)
        if (parts.scheme, parts.netloc) != self._origin:
            raise _shape(url, f"next_page pekar på en annan server ({parts.netloc})")
        return absolute

    def _titles(self, resource: str, ids: list[str], nameless: str
                ) -> tuple[dict[str, str], list[str]]:
        """The title of each of ``ids`` that Kolada's ``resource`` (``kpi``,
        ``municipality``) knows, and the ids it does not know; an item without an id or a
        title is an answer of the wrong shape (``nameless`` says which)."""
        found: dict[str, str] = {}
        for batch in _batches(sorted(set(ids))):
            path = f"{resource}/" + ",".join(batch)
            for item in self._pages(path):
                key, title = item.get("id"), item.get("title", "")
                if not isinstance(key, str) or not isinstance(title, str):
                    raise _shape(f"{self.base}/{path}", nameless)
                found[key] = title
        return found, sorted(set(ids) - set(found))

    # --- Questions ----------------------------------------------------------------------

    def kpis(self, ids: list[str]) -> dict[str, str]:
        """The title of each KPI of ``ids``; an id Kolada does not know is an error."""
        found, unknown = self._titles("kpi", ids, "ett nyckeltal saknar id eller titel")
        if unknown:
            what = "inget nyckeltal" if len(unknown) == 1 else "inga nyckeltal"
            raise KoladaError(f"Kolada har {what} med id {', '.join(unknown)}; kontrollera "
                              "id:t på kolada.se")
        return found

    def municipalities(self, ids: list[str]) -> dict[str, str]:
        """The name of each kommun, län or riket of ``ids``; an unknown id is an error."""
        found, unknown = self._titles("municipality", ids, "en kommun saknar id eller namn")
        if unknown:
            raise KoladaError(f"Kolada har ingen kommun eller region med id "
                              f"{', '.join(unknown)}; kontrollera kolada: i kommunprofilen "
                              "(kommunkoden har fyra siffror, till exempel \u201d0126\u201d)")
        return found

    def data(self, kpis: list[str], kommuner: list[str], years: list[int]) -> list[Value]:
        """Every value Kolada has of ``kpis`` for ``kommuner`` and ``years``, each kön."""
        out: list[Value] = []
        year_list = ",".join(str(y) for y in sorted(set(years)))
        for kpi_batch in _batches(sorted(set(kpis))):
            for kommun_batch in _batches(sorted(set(kommuner))):
                path = (f"data/kpi/{','.join(kpi_batch)}/municipality/"
                        f"{','.join(kommun_batch)}/year/{year_list}")
                for item in self._pages(path):
                    out += _values(item, f"{self.base}/{path}")
        return out


def _values(item: dict[str, Any], url: str) -> list[Value]:
    """The values of one entry of a data answer, each kön; deleted ones left out."""
    kpi, kommun, period = item.get("kpi"), item.get("municipality"), item.get("period")
    if isinstance(period, str) and period.isdigit():
        period = int(period)
    values = item.get("values")
    if not isinstance(kpi, str) or not isinstance(kommun, str) \
            or not isinstance(period, int) or isinstance(period, bool) \
            or not isinstance(values, list):
        raise _shape(url, "ett värde saknar kpi, municipality, period eller values")
    if item.get("is_deleted") is True:
        return []
    out: list[Value] = []
    for v in values:
        if not isinstance(v, dict):
            raise _shape(url, "values innehåller något annat än objekt")
        gender, number = v.get("gender"), v.get("value")
        if gender not in GENDERS:
            raise _shape(url, f"okänt kön \u201d{gender}\u201d (väntade T, K eller M)")
        if number is not None and (isinstance(number, bool)
                                   or not isinstance(number, (int, float))):
            raise _shape(url, f"värdet {number!r} är inget tal")
        if v.get("is_deleted") is True:
            continue
        out.append(Value(kpi, kommun, period, gender,
                         None if number is None else float(number)))
    return out


def _shape(url: str, what: str) -> KoladaError:
    return KoladaError(f"Kolada svarade på ett sätt som vbgen inte känner igen ({what}; "
                       f"{url})")
