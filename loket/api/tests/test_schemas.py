"""The API's lists of choices are the models' choices, and the document is served."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.test import Client as Browser

from loket.accounts.models import Language
from loket.api import schemas
from loket.cases.models import Case, Channel, Client, Message
from loket.phone.models import Call


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (schemas.ChannelCode, Channel.values),
        (schemas.CaseKindCode, Case.Kind.values),
        (schemas.StatusCode, Case.Status.values),
        (schemas.LanguageCode, Language.values),
        (schemas.ClientKindCode, Client.Kind.values),
        (schemas.SectorCode, Client.Sector.values),
        (schemas.DirectionCode, Message.Direction.values),
        (schemas.CallEventCode, Call.State.values),
        (schemas.CallOutcomeCode, Call.Outcome.values),
    ],
)
def test_the_literals_are_the_models_choices(literal: Any, choices: list[str]) -> None:
    assert list(get_args(literal)) == list(choices)


@pytest.mark.django_db
def test_the_document_and_the_docs_are_served_without_a_token(client: Browser) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "loket" and document["info"]["version"] == "1"
    assert document["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert "security" not in document["paths"]["/api/v1/status"]["post"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # No script from elsewhere: the CSP allows only loket's own.
    assert b"cdn" not in docs.content and b"/static/ninja/swagger-ui-bundle.js" in docs.content
