"""The composition layer: answers built from several domains; no domain imports it."""
