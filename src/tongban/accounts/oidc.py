"""OpenID Connect claims for department systems that sign in through the platform."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class TongbanOAuth2Validator(OAuth2Validator):
    """Adds ``name`` and ``preferred_username`` to the ID token and userinfo (scope profile)."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "preferred_username": "profile",
    }

    def get_discovery_claims(self, request: Any) -> list[str]:
        return ["sub", "name", "preferred_username"]

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "name": user.display_name or user.username,
            "preferred_username": user.username,
        }
