"""Finding and reading the old system's files (seeds 000–002). Its root may be the data hub
(`customer/`, `crm-app/cache/…`), `crm-app/`, or the `cache/` folder itself:

- customers: `customer/{id}.json` or `customer/{id}/*.json` (a profile plus `orders.json`,
  `notes.json`, …), mirrored under `cache/customer/{id}.json`; a mirror of a record already read
  fills in what it lacks and is not a second customer;
- the catalog: `cache/products/__all__.json` and `courses|packages|cooking_eqt|menu/*.json`, with
  pictures in `packages_picture/` (matched to a product by file name = SKU);
- ad logs: `cache/ad_logs/daily|hourly/**.json` (`monthly`, `yearly` are sums of those: left);
- campaign snapshots: `cache/ads/campaign|ad_set|ad/*.json`.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from models.transfer.fields import Problem, standard_id

PROFILE_STEMS = {"profile", "customer", "info", "data", "index", "main"}
PRODUCT_FOLDERS = ("courses", "packages", "cooking_eqt", "menu")
PICTURES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
Progress = Callable[[str, int, int], None]


@dataclass
class Layout:
    root: Path
    customer_dirs: list[Path] = field(default_factory=list)
    cache: Path | None = None

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def under_cache(self, *parts: str) -> Path | None:
        path = self.cache.joinpath(*parts) if self.cache else None
        return path if path and path.is_dir() else None


def find_layout(root: Path) -> Layout:
    """Where the customers, the catalog and the logs are under `root`; raises ValueError when
    none of the old system's folders is there."""
    layout = Layout(root)
    caches = [c for c in (root / "crm-app" / "cache", root / "cache") if c.is_dir()]
    if not caches and any((root / part).is_dir() for part in ("products", "ad_logs", "ads")):
        caches = [root]  # the cache folder itself
    layout.cache = caches[0] if caches else None
    for base in (root, root / "crm-app"):
        if (base / "customer").is_dir() and base != layout.cache:
            layout.customer_dirs.append(base / "customer")
    if not layout.customer_dirs and layout.cache is None:
        raise ValueError(f"{root} holds none of the old system's folders (customer/, cache/customer, cache/products, cache/ad_logs)")
    return layout


def load_json(path: Path, layout: Layout, problems: list[Problem]) -> Any:
    """A file's JSON (a UTF-8 byte-order mark allowed), or None with the reason reported."""
    try:
        data = path.read_bytes()
        return orjson.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    except orjson.JSONDecodeError as exc:
        problems.append(Problem(layout.rel(path), "*", f"not readable JSON: {str(exc).split(':')[0]}"))
    except OSError as exc:
        problems.append(Problem(layout.rel(path), "*", f"cannot be read: {exc.strerror}"))
    return None


def _key(name: str) -> str:
    parsed = standard_id(name)
    return f"TVS-CUS-{parsed[0]}-{parsed[1]:02d}-{parsed[2]:04d}" if parsed else name


@dataclass
class CustomerFile:
    source: str
    record: dict[str, Any]
    key: str  # the file's (or folder's) name: the id it was saved under
    mirrors: int = 0


def read_customer_files(layout: Layout, problems: list[Problem], progress: Progress) -> tuple[list[CustomerFile], int]:
    """The customer records, one per customer file (or id folder), mirrors merged in; and how
    many mirror files were merged."""
    bases = [(d, False) for d in layout.customer_dirs]
    mirror_dir = layout.under_cache("customer")
    if mirror_dir:
        bases.append((mirror_dir, True))
    paths = [(base, path, mirror) for base, mirror in bases for path in sorted(base.rglob("*.json"))]
    found: dict[str, CustomerFile] = {}
    from_primary: set[str] = set()
    mirrored = 0
    for n, (base, path, mirror) in enumerate(paths):
        if n % 500 == 0:
            progress("customer files", n, len(paths))
        data = load_json(path, layout, problems)
        if data is None:
            continue
        folder = path.parent if path.parent != base else None
        key = _key(folder.name if folder else path.stem)
        if folder and path.stem not in PROFILE_STEMS:
            data = {path.stem: data}
        elif not isinstance(data, dict):
            problems.append(Problem(layout.rel(path), "*", "not a customer record (expected one JSON object)"))
            continue
        held = found.get(key)
        if held is None:
            found[key] = CustomerFile(layout.rel(folder if folder else path), dict(data), key)
            if not mirror:
                from_primary.add(key)
        elif mirror and key in from_primary:
            for name, value in data.items():
                held.record.setdefault(name, value)
            held.mirrors += 1
            mirrored += 1
        elif folder and not mirror:
            for name, value in data.items():  # another part of the same id folder
                held.record.setdefault(name, value)
        else:
            found[f"{key}#{n}"] = CustomerFile(layout.rel(path), dict(data), key)
    progress("customer files", len(paths), len(paths))
    return list(found.values()), mirrored


def product_files(layout: Layout) -> Iterator[tuple[Path, str | None]]:
    """(file, the kind its folder names) of every catalog file, the snapshot of all first."""
    products = layout.under_cache("products")
    if products is None:
        return
    for path in sorted(products.glob("*.json")):
        yield path, None
    for folder in sorted(p for p in products.iterdir() if p.is_dir() and not p.name.endswith("picture")):
        for path in sorted(folder.rglob("*.json")):
            yield path, folder.name.casefold()


def pictures(layout: Layout) -> dict[str, str]:
    """SKU (file name) → the picture's path relative to the root."""
    products = layout.under_cache("products")
    found: dict[str, str] = {}
    for folder in (p for p in (products.iterdir() if products else ()) if p.is_dir() and p.name.endswith("picture")):
        for path in sorted(folder.rglob("*")):
            if path.suffix.casefold() in PICTURES:
                found.setdefault(path.stem, layout.rel(path))
    return found


def log_files(layout: Layout, kind: str) -> list[tuple[Path, date | None]]:
    """(file, the day its name says) of the `daily` or `hourly` ad logs, in order."""
    folder = layout.under_cache("ad_logs", kind)
    if folder is None:
        return []
    out = []
    for path in sorted(folder.rglob("*.json")):
        try:
            day = date.fromisoformat(path.stem[:10])
        except ValueError:
            day = None
        out.append((path, day))
    return out


def left_logs(layout: Layout) -> list[str]:
    """Log folders not imported (sums of the daily rows), to say so in the summary."""
    logs = layout.under_cache("ad_logs")
    return [layout.rel(p) for p in sorted(logs.iterdir()) if p.name not in ("daily", "hourly")] if logs else []
