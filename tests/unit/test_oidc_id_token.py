"""The ID-token checks with a locally signed token and a fake JWKS: only a token signed by the
provider's published key, for our client, from our issuer, unexpired and with this attempt's
nonce passes."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from loket.infra.identity.id_token import IdTokenRefused, verified_claims

ISSUER, CLIENT, NONCE = "https://login.mechelen.example/realms/mechelen", "loket", "the-nonce-of-this-attempt"
PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def published(key: rsa.RSAPrivateKey, kid: str) -> jwt.PyJWK:
    document = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return jwt.PyJWK({**document, "kid": kid, "use": "sig", "alg": "RS256"})


FAKE_JWKS = {"provider-key": published(PROVIDER_KEY, "provider-key")}


async def lookup(issuer: str, kid: str | None) -> jwt.PyJWK | None:
    assert issuer == ISSUER  # keys are only ever looked up at the configured issuer
    return FAKE_JWKS.get(kid or "")


def token(key: Any = PROVIDER_KEY, kid: str = "provider-key", algorithm: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "f3b1c2d4", "aud": CLIENT, "exp": now + 300, "iat": now, "nonce": NONCE,
              "preferred_username": "an.peeters", **changes}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm,
                      headers={"kid": kid})


async def check(raw: str) -> dict[str, Any]:
    return await verified_claims(raw, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, signing_key=lookup)


async def test_a_token_of_the_provider_for_us_passes() -> None:
    claims = await check(token())
    assert claims["sub"] == "f3b1c2d4" and claims["preferred_username"] == "an.peeters"


@pytest.mark.parametrize(("raw", "reason"), [
    (lambda: token(aud="another-client"), "issued for another client"),
    (lambda: token(aud=["another-client", "yet-another"]), "issued for another client"),
    (lambda: token(aud=[CLIENT, "another-client"], azp="another-client"), "another authorized party"),
    (lambda: token(iss="https://evil.example/realms/mechelen"), "issued by another issuer"),
    (lambda: token(exp=int(time.time()) - 3600), "expired"),
    (lambda: token(nonce="a-replayed-nonce"), "the nonce is not this sign-in's"),
    (lambda: token(nonce=None), "the nonce is not this sign-in's"),
    (lambda: token(sub=None), "the claim sub is missing"),
    (lambda: token(key=OTHER_KEY), "the signature does not match"),
    (lambda: token(kid="unpublished"), "a key the provider does not publish"),
    (lambda: token(key="the-client-secret-shared-with-everyone", algorithm="HS256"), "algorithm 'HS256'"),
    (lambda: "not.a.token", "not a JWT"),
])
async def test_every_other_token_is_refused_with_its_reason(raw: Any, reason: str) -> None:
    with pytest.raises(IdTokenRefused, match=reason):
        await check(raw())


async def test_an_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode({"iss": ISSUER, "sub": "x", "aud": CLIENT, "nonce": NONCE}, None, algorithm="none")
    with pytest.raises(IdTokenRefused, match="algorithm 'none'"):
        await check(unsigned)
