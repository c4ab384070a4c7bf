"""Checking an ID token as OpenID Connect Core §3.1.3.7 asks: signed by the provider's key with
an asymmetric algorithm, from the configured issuer, for our client, not expired, and carrying
the nonce this browser's sign-in attempt sent. Any failure is one `IdTokenRefused` naming the
check (for the log), never the token.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

# Never "none" and never HS*: an HMAC token would be checked with the client secret, which the
# provider and every replica share, so it proves nothing about who signed it.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# Clocks of the provider and of Loket may differ a little.
LEEWAY_S = 60

KeyLookup = Callable[[str, str | None], Awaitable[jwt.PyJWK | None]]


class IdTokenRefused(ValueError):
    """The ID token fails a check; the message names which."""


async def verified_claims(token: str, *, issuer: str, client_id: str, nonce: str,
                          signing_key: KeyLookup) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise IdTokenRefused("not a JWT") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise IdTokenRefused(f"algorithm {algorithm!r} is not accepted")
    key = await signing_key(issuer, header.get("kid"))
    if key is None:
        raise IdTokenRefused("signed with a key the provider does not publish")
    options: dict[str, Any] = {"require": ["iss", "sub", "aud", "exp", "iat"]}
    try:
        claims = jwt.decode(token, key.key, algorithms=[algorithm], audience=client_id, issuer=issuer,
                            leeway=LEEWAY_S, options=options)
    except jwt.ExpiredSignatureError:
        raise IdTokenRefused("expired") from None
    except jwt.InvalidAudienceError:
        raise IdTokenRefused("issued for another client") from None
    except jwt.InvalidIssuerError:
        raise IdTokenRefused("issued by another issuer") from None
    except jwt.InvalidSignatureError:
        raise IdTokenRefused("the signature does not match") from None
    except jwt.MissingRequiredClaimError as exc:
        raise IdTokenRefused(f"the claim {exc.claim} is missing") from None
    except jwt.PyJWTError as exc:
        raise IdTokenRefused(f"invalid ({type(exc).__name__})") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("issued to another authorized party")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise IdTokenRefused("the nonce is not this sign-in's")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise IdTokenRefused("the subject is empty")
    return claims
