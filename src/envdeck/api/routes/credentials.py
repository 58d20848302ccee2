"""The credentials vault (admin): SSH keys and passwords, shown without their secrets."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from envdeck.adapters.secret_box import MASK
from envdeck.api.deps import AdminPrincipal, CredentialsDep
from envdeck.api.schemas import ApiModel, Pagination, error_responses, pagination
from envdeck.domain.base import MAX_PAGE, MAX_PAGE_LIMIT, UtcDatetime
from envdeck.domain.credential import CREDENTIAL_NAME_PATTERN, Credential, CredentialListOptions
from envdeck.domain.environment import CredentialKind

router = APIRouter(prefix="/credentials", tags=["credentials"])

Name = Annotated[str, Field(pattern=CREDENTIAL_NAME_PATTERN)]
Username = Annotated[str, Field(max_length=100)]
# Large enough for an RSA 8192 key in PEM.
Secret = Annotated[str, Field(min_length=1, max_length=16384)]
Passphrase = Annotated[str, Field(max_length=1024)]


class CredentialCreate(ApiModel):
    name: Name
    type: CredentialKind
    username: Username = ""
    secret: Secret = Field(description="The private key (OpenSSH or PEM) or the password.")
    passphrase: Passphrase | None = Field(default=None, description="Of an encrypted key.")


class CredentialUpdate(ApiModel):
    """Fields to change; absent fields and "********" keep the stored value.

    `passphrase: null` (or "") removes the stored passphrase.
    """

    name: Name | None = None
    username: Username | None = None
    secret: Secret | None = None
    passphrase: Passphrase | None = None


class CredentialPublic(ApiModel):
    """A credential as the API shows it: never the secret nor the passphrase."""

    id: str
    name: str
    type: CredentialKind
    username: str
    fingerprint: str | None = Field(description="SHA256 fingerprint of a key; null otherwise.")
    has_passphrase: bool
    created_at: UtcDatetime | None
    updated_at: UtcDatetime | None

    @classmethod
    def of(cls, credential: Credential) -> "CredentialPublic":
        return cls(
            id=credential.id,
            name=credential.name,
            type=credential.type,
            username=credential.username,
            fingerprint=credential.fingerprint or None,
            has_passphrase=credential.passphrase is not None,
            created_at=credential.created_at,
            updated_at=credential.updated_at,
        )


class CredentialList(ApiModel):
    credentials: list[CredentialPublic]
    pagination: Pagination


@router.get(
    "",
    response_model=CredentialList,
    responses=error_responses(401, 403),
    summary="List credentials",
)
async def list_credentials(
    _admin: AdminPrincipal,
    credentials: CredentialsDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 20,
    type: CredentialKind | None = None,
) -> CredentialList:
    options = CredentialListOptions(page=page, limit=limit, type=type)
    found, total = await credentials.list_credentials(options)
    return CredentialList(
        credentials=[CredentialPublic.of(c) for c in found],
        pagination=pagination(page, limit, total),
    )


@router.post(
    "",
    response_model=CredentialPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409),
    summary="Store an SSH key or a password, encrypted",
)
async def create_credential(
    body: CredentialCreate, admin: AdminPrincipal, credentials: CredentialsDep
) -> CredentialPublic:
    credential = await credentials.create_credential(
        admin, body.name, body.type, body.username, body.secret, body.passphrase
    )
    return CredentialPublic.of(credential)


@router.get(
    "/{credential_id}",
    response_model=CredentialPublic,
    responses=error_responses(401, 403, 404),
    summary="Get a credential",
)
async def get_credential(
    credential_id: str, _admin: AdminPrincipal, credentials: CredentialsDep
) -> CredentialPublic:
    return CredentialPublic.of(await credentials.get_credential(credential_id))


@router.patch(
    "/{credential_id}",
    response_model=CredentialPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Rename a credential or replace its secret",
)
async def update_credential(
    credential_id: str, body: CredentialUpdate, admin: AdminPrincipal, credentials: CredentialsDep
) -> CredentialPublic:
    credential = await credentials.update_credential(
        admin,
        credential_id,
        name=body.name,
        username=body.username,
        secret=body.secret,
        passphrase=body.passphrase if "passphrase" in body.model_fields_set else MASK,
    )
    return CredentialPublic.of(credential)


@router.delete(
    "/{credential_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409),
    summary="Delete a credential no environment uses",
)
async def delete_credential(
    credential_id: str, admin: AdminPrincipal, credentials: CredentialsDep
) -> Response:
    await credentials.delete_credential(admin, credential_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
