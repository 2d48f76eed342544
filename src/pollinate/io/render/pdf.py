"""PDF from the same HTML a browser prints, through WeasyPrint."""

from __future__ import annotations

import warnings
from pathlib import Path


def write_pdf(html: str, path: Path) -> None:
    """Render `html` (self-contained: inline CSS and SVG) to a PDF at `path`."""
    # Imported on first use: WeasyPrint loads Pango through cffi, about 0.7 s that
    # `pollinate plan` without PDFs should not pay. WeasyPrint 70 also warns at import
    # when the system lacks libharfbuzz-subset ("HarfBuzz-Subset will be required by
    # future versions"); that concerns the machine, not our code, and pytest turns
    # warnings into errors, so that one warning is silenced here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    # Our pages are self-contained (inline CSS and SVG) and autoescaped, so WeasyPrint has
    # nothing to fetch; base_url=None keeps it from resolving paths against the cwd.
    weasyprint.HTML(string=html, base_url=None).write_pdf(target=str(path))
