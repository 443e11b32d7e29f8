from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.sms.models import SmsChallenge

__all__ = ["BackupCode", "SmsChallenge"]
