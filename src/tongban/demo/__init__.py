"""The demo province (湖北省): divisions, departments, accounts, OIDC client and news."""
