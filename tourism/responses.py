"""Responses for hot read paths."""

import orjson
from fastapi import Response


def model_json(content: object) -> Response:
    """`content` as JSON, as it is: for answers whose dicts are built in the shape of the route's
    `response_model` (which still documents them). FastAPI's validation of the answer against
    the model would cost a fifth of a search's time in the worker; tests hold the shape instead.
    """
    return Response(orjson.dumps(content), media_type="application/json")
