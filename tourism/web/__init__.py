"""The tourist's web page, served by the API."""
