"""Personal data (ID numbers, phones): encrypted at rest, keyed hashes for lookup, masks for display.

Keys come from ``GRASSROOTS_SECRET_KEY`` through HKDF, one sub-key per purpose. Encryption is
AES-256-GCM with a synthetic nonce (keyed BLAKE2b of field and value), so the same value always encrypts to
the same text: re-importing a ledger changes nothing and export/import round trips are exact. The
keyed hash already reveals equality, so determinism leaks nothing more.

Stored form: ``v1:<base64 nonce+ciphertext>``; the ``v1`` names the key version (key rotation:
docs/SECURITY.md).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

Field = Literal["idNumber", "phone"]
VERSION = "v1"


class MissingSecretKey(RuntimeError):
    """Personal data cannot be stored or read without GRASSROOTS_SECRET_KEY."""


def _derive(secret: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"grassroots-graph", info=purpose.encode()).derive(
        secret
    )


@dataclass(frozen=True)
class PersonalData:
    """Encrypts, hashes and masks personal fields with keys derived from one secret."""

    enc_key: bytes
    hash_key: bytes
    nonce_key: bytes

    @classmethod
    def from_secret(cls, secret: str | None) -> PersonalData:
        if not secret:
            raise MissingSecretKey(
                "GRASSROOTS_SECRET_KEY is not set: it is needed to encrypt ID numbers and phones "
                "(make demo generates one into the data directory)"
            )
        raw = secret.encode()
        return cls(
            _derive(raw, f"enc-{VERSION}"), _derive(raw, f"hash-{VERSION}"), _derive(raw, f"nonce-{VERSION}")
        )

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.enc_key)

    def encrypt(self, field: Field, value: str) -> str:
        nonce = hashlib.blake2b(
            value.encode(), key=self.nonce_key, digest_size=12, person=field.encode()
        ).digest()
        sealed = self._aead.encrypt(nonce, value.encode(), field.encode())
        return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, field: Field, stored: str) -> str:
        version, _, payload = stored.partition(":")
        if version != VERSION:
            raise ValueError(f"personal data encrypted with unknown key version '{version}'")
        blob = base64.b64decode(payload)
        return self._aead.decrypt(blob[:12], blob[12:], field.encode()).decode()

    def hash(self, field: Field, value: str) -> str:
        return hashlib.blake2b(
            value.encode(), key=self.hash_key, digest_size=32, person=field.encode()
        ).hexdigest()

    def seal(self, field: Field, value: str) -> dict[str, str]:
        """The stored properties for one field: ``<field>Enc``, ``<field>Hash``, ``<field>Masked``."""
        masked = mask_id_number(value) if field == "idNumber" else mask_phone(value)
        return {
            f"{field}Enc": self.encrypt(field, value),
            f"{field}Hash": self.hash(field, value),
            f"{field}Masked": masked,
        }


def mask_id_number(value: str) -> str:
    """``4301**********123X``: region prefix and last four kept."""
    return value[:4] + "*" * max(0, len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    """``138****5678``: first three and last four kept."""
    digits = value.replace("-", "")
    return digits[:3] + "*" * max(0, len(digits) - 7) + digits[-4:] if len(digits) > 7 else "*" * len(digits)
