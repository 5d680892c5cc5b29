from sqlalchemy import BigInteger, CheckConstraint, SmallInteger, text
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base


class SearchCatalogue(Base):
    """One row: a version that changes whenever a name search matches could change.

    Kept by statement triggers on dishes, dish names and eateries (their names and status), so
    that what a query string matches can be remembered until it changes.
    """

    __tablename__ = "search_catalogue"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default=text("1"))
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
