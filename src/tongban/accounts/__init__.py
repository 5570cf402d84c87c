"""Accounts and unified identity: citizens, enterprises, staff, login, MFA, OIDC provider."""
