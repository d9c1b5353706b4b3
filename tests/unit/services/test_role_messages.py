"""A refused action says which role it needs and which role the token has, in plain words."""

from __future__ import annotations

import pytest

from stakenet.domain.access import Principal, Role
from stakenet.domain.errors import PermissionDenied
from stakenet.services.access import acting_as, require


@pytest.mark.parametrize(
    ("held", "needed", "message"),
    [
        (Role.VIEWER, Role.EDITOR, "Importing needs the editor role; the token 'crm' is a viewer."),
        (
            Role.EDITOR,
            Role.ADMIN,
            "Importing needs the admin role; the token 'crm' is an editor.",
        ),
    ],
)
def test_a_refusal_names_the_role_needed_and_the_role_held(
    held: Role, needed: Role, message: str
) -> None:
    with acting_as(Principal("crm", held)), pytest.raises(PermissionDenied) as refused:
        require(needed, "Importing")
    assert str(refused.value) == message
