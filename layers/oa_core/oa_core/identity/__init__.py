"""identity: who people are and how they sign in.

Owns the organisation directory (departments, users and their roles, external units; directory),
sign-in through the Cognito hosted UI with OIDC and PKCE (oidc), server-side sessions with CSRF
tokens and 等保 timeouts (sessions), and the signed-in caller of an API request (caller). May
import platform only.
"""
