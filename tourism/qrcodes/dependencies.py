"""The scan recorder and the public URLs codes point at, from the app's resources."""

from typing import Annotated

from fastapi import Depends, Request

from tourism.dependencies import SettingsDep
from tourism.openapi import uses_database
from tourism.qrcodes.scans import ScanRecorder
from tourism.qrcodes.service import PublicUrls


@uses_database
async def scan_recorder(request: Request) -> ScanRecorder:
    """Counts scans on a bare pool of its own (the rule: tourism.database)."""
    return request.app.state.resources.scans


async def public_urls(settings: SettingsDep) -> PublicUrls:
    return PublicUrls.of(settings)


ScansDep = Annotated[ScanRecorder, Depends(scan_recorder)]
UrlsDep = Annotated[PublicUrls, Depends(public_urls)]
