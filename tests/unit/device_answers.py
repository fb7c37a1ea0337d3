"""A provider's device authorization response (RFC 8628 §3.2), as the device-grant tests start from."""

ISSUER = "https://idp.example/realms/lab"
CODES = {
    "device_code": "dc",
    "user_code": "ABCD-EFGH",
    "verification_uri": f"{ISSUER}/device",
    "verification_uri_complete": f"{ISSUER}/device?user_code=ABCD-EFGH",
    "expires_in": 600,
}
