"""Ballot receipts: a short HMAC code that lets a voter check their ballot was counted
without revealing it."""

from __future__ import annotations

import base64
import hashlib
import hmac

from bot.rules.tally.values import _check_key

RECEIPT_LENGTH = 10
"""Characters in a receipt code (RFC 4648 base32, upper case: 50 bits of HMAC-SHA256)."""

MIN_NONCE_BYTES = 16
"""The shortest accepted nonce; use ``secrets.token_bytes(32)`` and keep it server-side."""

_RECEIPT_DOMAIN = b"residentbot/ballot-receipt/v1"


def _receipt_mac(proposal_id: int, voter_key: str, nonce: bytes) -> str:
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        raise TypeError(f"proposal_id must be an int, got {type(proposal_id).__name__}")
    _check_key(voter_key, "voter_key")
    if not isinstance(nonce, bytes):
        raise TypeError(f"nonce must be bytes, got {type(nonce).__name__}")
    if len(nonce) < MIN_NONCE_BYTES:
        raise ValueError(f"nonce must be at least {MIN_NONCE_BYTES} bytes")
    # The decimal id holds no NUL, and the voter key comes last: the encoding is unambiguous.
    message = b"\x00".join(
        (_RECEIPT_DOMAIN, str(proposal_id).encode("ascii"), voter_key.encode("utf-8"))
    )
    digest = hmac.new(nonce, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:RECEIPT_LENGTH]


def receipt(proposal_id: int, voter_key: str, nonce: bytes) -> str:
    """A short code the voter keeps to check that their ballot was counted.

    ``HMAC-SHA256(key=nonce, "residentbot/ballot-receipt/v1" NUL proposal_id NUL voter_key)``,
    base32-encoded and cut to :data:`RECEIPT_LENGTH` upper-case characters (A-Z, 2-7). The
    nonce is a secret random value (≥ :data:`MIN_NONCE_BYTES` bytes) stored with the ballot, so
    nobody can recompute a receipt from public keys. The code does not encode the choice.
    """
    return _receipt_mac(proposal_id, voter_key, nonce)


def verify_receipt(proposal_id: int, voter_key: str, nonce: bytes, code: str) -> bool:
    """Whether ``code`` is the receipt of ``voter_key`` on ``proposal_id`` with ``nonce``.

    Case, spaces and hyphens in ``code`` are ignored (``"abcde-fghij"`` is fine); the
    comparison is constant-time.
    """
    if not isinstance(code, str):
        return False
    given = "".join(code.split()).replace("-", "").upper()
    expected = _receipt_mac(proposal_id, voter_key, nonce)
    return hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii"))
