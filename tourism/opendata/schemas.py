from pydantic import BaseModel, Field

from tourism.schemas import LocalDatetime


class Licence(BaseModel):
    id: str = Field(examples=["ODbL-1.0"], description="SPDX identifier")
    name: str
    url: str
    attribution: str = Field(description="What a re-user must credit")


class DataFormat(BaseModel):
    format: str = Field(examples=["csv"])
    media_type: str
    url: str


class DatasetPublic(BaseModel):
    id: str
    title: str
    description: str
    licence: Licence
    updated_at: LocalDatetime = Field(description="When the data last changed")
    formats: list[DataFormat]


class OpenDataCatalogue(BaseModel):
    publisher: str
    datasets: list[DatasetPublic]
