from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.sms.models import SmsChallenge
from verzuim.mfa.totp.models import TotpDevice
from verzuim.mfa.webauthn.models import WebAuthnCredential

__all__ = ["BackupCode", "SmsChallenge", "TotpDevice", "WebAuthnCredential"]
