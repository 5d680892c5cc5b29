"""QR rendering and deep links. No database, no tourism imports.

- `qr.links`: random base62 codes, deep links with UTM parameters, the short scan URL.
- `qr.render`: PNG (Pillow) and SVG (qrcode's path factory) at a chosen size and level.
- `qr.poster`: printable A6/A4 PDF posters with Vietnamese text in an installed font.
- `qr.fonts`: finding that font.
"""
