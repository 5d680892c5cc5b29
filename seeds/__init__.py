"""Hai Phong seed data and its loader."""
