"""The OAuth2/OIDC endpoints the platform publishes, and only those.

django-oauth-toolkit's default URL set also mounts self-service client management
(``applications/``), token lists, device flow and dynamic client registration; any
signed-in user could then register a client with the password grant and obtain tokens
without staff MFA. Department systems are registered by administrators instead.
"""

from django.urls import path, re_path
from oauth2_provider import views

app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
    # RFC 8414 metadata; also the base from which the RFC 9207 `iss` parameter is derived.
    path(
        ".well-known/oauth-authorization-server",
        views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", views.UserInfoView.as_view(), name="user-info"),
]
