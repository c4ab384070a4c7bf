"""The `private_key_jwt` client assertion (RFC 7523) that authenticates us at the token URL."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key


class ClientAssertion:
    """Loads the key once; signs a fresh, short-lived assertion per token request."""

    def __init__(
        self,
        client_id: str,
        token_url: str,
        private_key_path: Path,
        certificate_path: Path | None,
        ttl_s: int,
    ) -> None:
        self._client_id = client_id
        self._token_url = token_url
        self._ttl_s = ttl_s
        self._key = load_pem_private_key(private_key_path.read_bytes(), password=None)
        if isinstance(self._key, rsa.RSAPrivateKey):
            self._algorithm = "RS256"
        elif isinstance(self._key, ec.EllipticCurvePrivateKey):
            self._algorithm = "ES256"
        else:
            raise ValueError("the eBox client key must be RSA or EC (P-256)")
        self._headers: dict[str, str] = {}
        if certificate_path is not None:
            # The thumbprint lets the token endpoint pick the registered certificate to verify with.
            cert = x509.load_pem_x509_certificate(certificate_path.read_bytes())
            thumb = hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()
            self._headers["x5t#S256"] = base64.urlsafe_b64encode(thumb).rstrip(b"=").decode()

    def sign(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self._client_id,
            "sub": self._client_id,
            "aud": self._token_url,
            # A unique jti lets the server refuse a replayed assertion.
            "jti": str(uuid.uuid4()),
            "iat": now,
            "exp": now + self._ttl_s,
        }
        return jwt.encode(claims, self._key, algorithm=self._algorithm, headers=self._headers)  # type: ignore[arg-type]
