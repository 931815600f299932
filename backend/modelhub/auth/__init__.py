"""Identity: token verification (Keycloak or the built-in issuer), roles and permissions."""
