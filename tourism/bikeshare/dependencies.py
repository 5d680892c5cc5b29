"""The published GBFS system's settings and start, from the app's resources."""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from tourism.bikeshare.config import GbfsSettings


async def gbfs_settings(request: Request) -> GbfsSettings:
    """Read from the environment once, when the app was made (`create_app`)."""
    return request.app.state.resources.gbfs


async def published_at(request: Request) -> datetime:
    """When this service started: `last_updated` of the files that only change with the
    configuration."""
    return request.app.state.resources.started_at


GbfsSettingsDep = Annotated[GbfsSettings, Depends(gbfs_settings)]
PublishedAt = Annotated[datetime, Depends(published_at)]
