"""QR rendering and deep links. No database, no tourism imports."""
