"""identity: who people are and how they sign in.

Owns the organisation directory (departments, users and their roles, external units; directory),
the identity provider the stack trusts, the stack's Cognito user pool or any OpenID Connect issuer
(its discovery document and keys: provider), the verification of its ID tokens (tokens, with
joserfc) for the API's Lambda authorizer (authorizer) and the web sign-in (oidc: authorization code
with PKCE and nonce), server-side sessions with CSRF tokens and 等保 timeouts (sessions), and the
signed-in caller of an API request (caller), and 角色授权 by the 安全管理员 under 三员分立 (roles).
May import platform only.
"""
