"""Tables of the features, one module per feature (``storage/tables/<feature>.py``), each importing ``Base``
from ``storage.models``. Importing this package imports them all, so Alembic and ``Base.metadata`` see every table."""

from __future__ import annotations

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")
