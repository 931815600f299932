from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from modelhub.auth.permissions import Role

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,62}$"
GROUP_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class UserOut(BaseModel):
    id: str
    username: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    roles: list[str]
    groups: list[str] = []
    disabled: bool = False
    created_at: str | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, description="lower case letters, digits, '.', '_', '-'")
    password: str = Field(min_length=8, max_length=256)
    email: EmailStr
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1, max_length=4)
    groups: list[str] = Field(default=[], max_length=20)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    roles: list[Role] | None = Field(None, min_length=1, max_length=4)
    groups: list[str] | None = Field(None, max_length=20)
    disabled: bool | None = None
    password: str | None = Field(None, min_length=8, max_length=256)
