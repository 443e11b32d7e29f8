"""Steps 1–4 of the first login, and the whole way from the e-mail to the portal."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.accounts.activation.conftest import NEW_PASSWORD, newest_link_path
from verzuim.accounts.activation import state
from verzuim.accounts.activation.views import _add_url
from verzuim.accounts.models import User
from verzuim.audit.models import AuditEvent, Event
from verzuim.messaging.delivery import deliver_due
from verzuim.messaging.models import OutboxMessage
from verzuim.mfa.backup_codes.models import BackupCode
from verzuim.mfa.exceptions import ResendLimitReached, ResendTooSoon
from verzuim.mfa.sms.models import SmsChallenge

pytestmark = pytest.mark.django_db


def choose(client, pw1, pw2=None):
    return client.post(
        "/activate/password/", {"new_password1": pw1, "new_password2": pw2 if pw2 else pw1}
    )


def errors_of(response) -> str:
    assert response.status_code == 200
    return " ".join(
        response.context["form"].errors.get("new_password1", [])
        + response.context["form"].errors.get("new_password2", [])
    )


def sms_to(user) -> list[OutboxMessage]:
    deliver_due()
    return list(OutboxMessage.objects.filter(channel="sms", to=user.phone).order_by("-created"))


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def events_of(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(subject=user).order_by("id").values_list("event", flat=True)
    )


# --- step 1: password ------------------------------------------------------------------------


def test_the_password_page_states_the_rules_in_plain_words(client, open_link):
    open_link()
    body = client.get("/activate/password/").content.decode()
    assert "Step 1 of 4" in body
    assert "At least 8 characters." in body
    assert "Not a common password" in body
    assert "Not too much like your name, login name or e-mail address." in body
    for name in ("new_password1", "new_password2"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'autocomplete="new-password"' in tag and 'type="password"' in tag
        assert 'maxlength="4096"' in tag
    assert re.search(
        r'<input[^>]*autocomplete="username"[^>]*value="nina.nieuw"|'
        r'<input[^>]*value="nina.nieuw"[^>]*autocomplete="username"',
        body,
    )


@pytest.mark.parametrize(
    "password, message",
    [
        ("kort123", "too short"),
        ("password123", "too common"),
        ("nina.nieuw1", "too similar"),
        ("nina@werkgever.example", "too similar"),
    ],
)
def test_weak_passwords_are_refused(client, open_link, invited_user, password, message):
    open_link()
    assert message in errors_of(choose(client, password))
    invited_user.refresh_from_db()
    assert not invited_user.has_usable_password()


def test_the_two_passwords_must_match(client, open_link):
    open_link()
    assert "not the same" in errors_of(choose(client, NEW_PASSWORD, NEW_PASSWORD + "!"))


def test_no_composition_rules_and_long_passwords_are_welcome(client, open_link, invited_user):
    open_link()
    long_password = ("een lange zin zonder hoofdletters of cijfers " * 4)[:128]
    assert len(long_password) == 128
    response = choose(client, long_password)
    assert response.status_code == 302
    invited_user.refresh_from_db()
    assert check_password(long_password, invited_user.password)


def test_passwords_up_to_4096_characters_are_accepted(client, open_link, invited_user):
    open_link()
    assert "at most 4096" in errors_of(choose(client, "x" * 4097))
    response = choose(client, "lang wachtwoord " * 256)  # 4096 characters
    assert response.status_code == 302


def test_the_password_is_set_and_audited_and_an_sms_goes_to_the_number_on_file(
    client, at_phone_step, invited_user
):
    at_phone_step()
    invited_user.refresh_from_db()
    assert check_password(NEW_PASSWORD, invited_user.password)
    assert invited_user.activated_at is None
    event = AuditEvent.objects.get(event=Event.PASSWORD_CHANGED, subject=invited_user)
    assert event.data == {"activation": True}
    [sms] = sms_to(invited_user)
    assert re.search(r"\b\d{6}\b", sms.body)
    challenge = SmsChallenge.objects.get(user=invited_user)
    assert challenge.purpose == SmsChallenge.Purpose.CONFIRM_PHONE
    assert challenge.phone == invited_user.phone
    assert challenge.attempt_id == client.session[state.SESSION_KEY]["attempt_id"]
    assert "_auth_user_id" not in client.session  # not logged in before the code


def test_a_step_already_passed_sends_the_user_forward(client, at_phone_step):
    at_phone_step()
    response = client.get("/activate/password/")
    assert response.status_code == 302 and response["Location"] == "/activate/phone/"


# --- step 2: mobile number -------------------------------------------------------------------


def test_the_phone_page_explains_and_masks_the_number(client, at_phone_step, invited_user):
    at_phone_step()
    response = client.get("/activate/phone/")
    body = response.content.decode()
    assert "Step 2 of 4" in body
    assert "health data" in body and "The law therefore requires a second step" in body
    assert "only for login codes and security messages" in body
    assert invited_user.phone not in body
    assert "+31 •••••••70" in body
    tag = re.search(r'<input[^>]*name="code"[^>]*>', body).group(0)
    assert 'autocomplete="one-time-code"' in tag
    assert "Wrong number?" in body and "Contact support" in body
    assert "You can request a new SMS in 30 seconds" in body  # the resend wait is shown


def test_a_wrong_code_is_an_error_and_counts(client, at_phone_step, invited_user, sms_code):
    at_phone_step()
    code = sms_code(invited_user.phone)
    response = client.post("/activate/phone/", {"code": other_code(code)})
    assert response.status_code == 200
    errors = response.context["form"].errors["code"]
    assert "This code is incorrect" in errors[0] and "2 more tries" in errors[0]
    assert "_auth_user_id" not in client.session
    invited_user.refresh_from_db()
    assert invited_user.second_step_failures == 1 and invited_user.phone_verified_at is None
    assert AuditEvent.objects.filter(event=Event.SECOND_FACTOR_FAILED).exists()


def test_a_malformed_code_is_explained(client, at_phone_step):
    at_phone_step()
    response = client.post("/activate/phone/", {"code": "12ab"})
    assert response.context["form"].errors["code"] == ["The code has 6 digits."]


def test_the_right_code_confirms_the_number_and_logs_in(
    client, at_phone_step, invited_user, sms_code
):
    at_phone_step()
    before = time.time()
    response = client.post("/activate/phone/", {"code": sms_code(invited_user.phone)})
    assert response.status_code == 302 and response["Location"] == "/activate/extra/"
    session = client.session
    assert session["_auth_user_id"] == str(invited_user.pk)
    assert session["_auth_user_backend"] == "verzuim.accounts.backends.TenantLoginBackend"
    for key in ("auth_at", "seen_at", "mfa_at"):
        assert session[key] >= before
    assert session["mfa_method"] == "sms"
    assert session[state.SESSION_KEY] == {
        "user_id": invited_user.pk,
        "step": "factor",
        "token": "",
        "attempt_id": "",
        "since": 0.0,
        "codes_made": False,
    }
    invited_user.refresh_from_db()
    assert invited_user.phone_verified_at is not None and invited_user.activated_at is None
    assert {Event.PHONE_CONFIRMED, Event.LOGIN_SUCCEEDED} <= set(events_of(invited_user))


def test_an_expired_code_asks_for_a_new_one(client, at_phone_step, invited_user, sms_code):
    at_phone_step()
    code = sms_code(invited_user.phone)
    SmsChallenge.objects.filter(user=invited_user).update(expires_at=timezone.now())
    response = client.post("/activate/phone/", {"code": code})
    assert "no longer valid" in response.context["form"].errors["code"][0]


def test_resend_honours_the_wait_and_only_the_newest_code_works(
    client, at_phone_step, invited_user, sms_code
):
    at_phone_step()
    first = sms_code(invited_user.phone)
    response = client.post("/activate/phone/", {"action": "resend"}, follow=True)
    assert "You can request a new SMS in 30 seconds" in response.content.decode()
    assert len(sms_to(invited_user)) == 1
    SmsChallenge.objects.filter(user=invited_user).update(
        created_at=F("created_at") - timedelta(seconds=31)
    )
    body = client.get("/activate/phone/").content.decode()
    assert 'id="resend-sms"' in body
    response = client.post("/activate/phone/", {"action": "resend"}, follow=True)
    assert "A new code has been sent to +31 •••••••70" in response.content.decode()
    assert len(sms_to(invited_user)) == 2
    second = sms_code(invited_user.phone)
    if second != first:  # the first code was replaced: it is simply wrong now
        response = client.post("/activate/phone/", {"code": first})
        assert "This code is incorrect" in response.context["form"].errors["code"][0]
    response = client.post("/activate/phone/", {"code": second})
    assert response.status_code == 302 and response["Location"] == "/activate/extra/"


def test_the_resend_limit_is_explained(client, at_phone_step, invited_user):
    at_phone_step()
    for _ in range(4):
        # The worker delivers each SMS before the user, minutes later, asks again (a resend
        # cancels an SMS of the replaced code that has not gone out yet).
        deliver_due()
        SmsChallenge.objects.filter(user=invited_user).update(
            created_at=F("created_at") - timedelta(seconds=600)
        )
        client.post("/activate/phone/", {"action": "resend"})
    assert len(sms_to(invited_user)) == 5
    response = client.post("/activate/phone/", {"action": "resend"}, follow=True)
    body = response.content.decode()
    assert body.count("No more SMS messages can be sent right now") == 2  # message + page
    assert 'id="resend-sms"' not in body


def test_if_the_first_sms_could_not_be_sent_the_page_offers_to_send_one(
    client, at_phone_step, invited_user
):
    at_phone_step()
    SmsChallenge.objects.filter(user=invited_user).delete()
    body = client.get("/activate/phone/").content.decode()
    assert "Send code by SMS" in body


def test_too_many_wrong_codes_block_the_account(
    client, tenant, at_phone_step, invited_user, sms_code
):
    tenant.second_step_block_threshold = 3
    tenant.save()
    at_phone_step()
    code = sms_code(invited_user.phone)
    statuses = [
        client.post("/activate/phone/", {"code": other_code(code)}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 403]
    invited_user.refresh_from_db()
    assert invited_user.is_blocked
    assert state.SESSION_KEY not in client.session
    assert client.get("/activate/phone/").status_code == 200  # "open the link" page, no error


def test_a_blocked_user_on_the_phone_step_sees_the_blocked_page(
    client, at_phone_step, invited_user
):
    at_phone_step()
    User.objects.filter(pk=invited_user.pk).update(blocked_at=timezone.now())
    assert client.get("/activate/phone/").status_code == 403


def test_the_phone_step_expires_and_sends_the_user_to_the_login(client, at_phone_step):
    at_phone_step()
    later = timezone.now() + timedelta(seconds=django_settings.PENDING_LOGIN_SECONDS + 1)
    with time_machine.travel(later):
        response = client.get("/activate/phone/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Your password has been saved, but this page has expired" in response.content.decode()


def test_a_newer_invitation_also_ends_the_phone_step(client, tenant, at_phone_step, invited_user):
    from verzuim.accounts.activation.actions import send_invitation

    at_phone_step()
    send_invitation(invited_user)
    response = client.get("/activate/phone/")
    assert response.status_code == 410


# --- step 3: optional extra factor -------------------------------------------------------------


def resolves(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_the_extra_factor_page_offers_what_the_tenant_allows(client, logged_in_activation):
    logged_in_activation()
    body = client.get("/activate/extra/").content.decode()
    assert "Step 3 of 4" in body
    assert 'id="skip-extra" href="/activate/backup-codes/"' in body
    for name, marker in (("mfa:totp-add", "add-totp"), ("mfa:webauthn-add", "add-key")):
        if resolves(name):
            assert f'href="{reverse(name)}?next=/activate/backup-codes/"' in body
        else:
            assert marker not in body


def test_the_extra_factor_page_tells_the_risks_of_sms(client, logged_in_activation):
    """ASVS V6.6.1: where the user chooses, the risks of SMS are explained."""
    logged_in_activation()
    body = client.get("/activate/extra/").content.decode()
    assert 'id="sms-risk"' in body and "take over a mobile number" in body
    assert "We advise you to add one of them." in body


def test_methods_the_tenant_does_not_allow_are_not_offered(client, tenant, logged_in_activation):
    tenant.allowed_methods = ["sms"]
    tenant.save()
    logged_in_activation()
    body = client.get("/activate/extra/").content.decode()
    assert "add-totp" not in body and "add-key" not in body
    assert 'id="skip-extra"' in body and "Continue" in body


def test_add_links_are_left_out_while_the_pages_do_not_exist():
    assert _add_url("mfa:does-not-exist") is None
    if resolves("mfa:totp-add"):
        assert _add_url("mfa:totp-add").endswith("?next=/activate/backup-codes/")


def test_steps_3_and_4_need_a_login(client, tenant):
    for path in ("/activate/extra/", "/activate/backup-codes/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_activated_users_have_nothing_to_do_here(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    for path in ("/activate/extra/", "/activate/backup-codes/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/"
    assert client.post("/activate/finish/", {"saved": "on"})["Location"] == "/"


# --- step 4: backup codes --------------------------------------------------------------------


def shown_codes(response) -> list[str]:
    return re.findall(r"<code>([a-z0-9-]+)</code>", response.content.decode())


def test_backup_codes_are_made_by_an_explicit_post_and_shown_once(
    client, logged_in_activation, invited_user
):
    logged_in_activation()
    intro = client.get("/activate/backup-codes/")
    assert "Step 4 of 4" in intro.content.decode()
    assert shown_codes(intro) == [] and not BackupCode.objects.filter(user=invited_user).exists()
    shown = client.post("/activate/backup-codes/", {"generate": "1"})
    codes = shown_codes(shown)
    assert len(codes) == 10
    assert BackupCode.objects.filter(user=invited_user).count() == 10
    body = shown.content.decode()
    assert "These codes are shown only now" in body
    assert 'action="/activate/finish/"' in body and 'name="saved"' in body
    assert "New codes were made" not in body
    # A reload of the page does not make (or show) a set silently.
    again = client.get("/activate/backup-codes/")
    assert shown_codes(again) == []
    assert "were shown before and are not shown again" in again.content.decode()
    hashes = set(BackupCode.objects.filter(user=invited_user).values_list("code_hash", flat=True))
    # Making new codes says that the earlier ones stopped working.
    renewed = client.post("/activate/backup-codes/", {"generate": "1"})
    assert "New codes were made. The codes shown before no longer work." in (
        renewed.content.decode()
    )
    assert shown_codes(renewed) != codes
    assert not hashes & set(
        BackupCode.objects.filter(user=invited_user).values_list("code_hash", flat=True)
    )


def test_finishing_needs_the_codes_and_the_tick(client, logged_in_activation, invited_user):
    logged_in_activation()
    response = client.post("/activate/finish/", {"saved": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == "/activate/backup-codes/"
    assert "First make your backup codes." in response.content.decode()
    client.post("/activate/backup-codes/", {"generate": "1"})
    response = client.post("/activate/finish/", {}, follow=True)
    assert response.redirect_chain[-1][0] == "/activate/backup-codes/"
    assert "Tick the box to confirm" in response.content.decode()
    invited_user.refresh_from_db()
    assert invited_user.activated_at is None
    assert client.get("/activate/finish/").status_code == 405


# --- the flag: nowhere else before the codes are confirmed ---------------------------------


def test_the_portal_sends_the_user_back_until_the_codes_are_confirmed(
    client, activation_middleware, logged_in_activation
):
    logged_in_activation()
    assert client.get("/")["Location"] == "/activate/extra/"
    client.get("/activate/backup-codes/")
    for path in ("/", "/settings/security/", "/beheer/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/activate/backup-codes/"
    response = client.post("/settings/security/default-method/", {"method": "sms"})
    assert response["Location"] == "/activate/backup-codes/"  # a POST is turned back too
    # What stays open: the activation, help, the language switch, the factor pages, log out.
    assert client.get("/help/faq/").status_code == 200
    response = client.get("/accounts/verify/app/add/")
    assert not response.get("Location", "").startswith("/activate/")
    client.post("/activate/backup-codes/", {"generate": "1"})
    response = client.post("/activate/finish/", {"saved": "on"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_logging_out_halfway_and_in_again_resumes_the_activation(
    client, activation_middleware, logged_in_activation, invited_user, login_password_step, sms_code
):
    logged_in_activation()
    client.post("/accounts/logout/")
    # e.g. it was never confirmed
    User.objects.filter(pk=invited_user.pk).update(phone_verified_at=None)
    assert login_password_step(invited_user, NEW_PASSWORD).status_code == 302
    client.post("/accounts/verify/sms/", {"code": sms_code(invited_user.phone)})
    assert client.get("/")["Location"] == "/activate/extra/"
    assert client.get("/activate/extra/").status_code == 200
    invited_user.refresh_from_db()
    assert invited_user.phone_verified_at is not None  # the login code went to that number
    client.post("/activate/backup-codes/", {"generate": "1"})
    assert client.post("/activate/finish/", {"saved": "on"})["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_middleware_leaves_everyone_else_alone(
    client, activation_middleware, hr_user, logged_in_client, tenant
):
    assert client.get("/accounts/login/").status_code == 200
    logged_in_client(hr_user)
    assert client.get("/").status_code == 200


# --- the whole way ---------------------------------------------------------------------------


def test_happy_path_from_the_email_to_the_portal(
    client, activation_middleware, invited_user, sms_code, tenant
):
    response = client.get(newest_link_path(invited_user), follow=True)
    assert response.redirect_chain == [("/activate/password/", 302)]
    response = client.post(
        "/activate/password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/activate/phone/", 302)]
    response = client.post("/activate/phone/", {"code": sms_code(invited_user.phone)}, follow=True)
    assert response.redirect_chain == [("/activate/extra/", 302)]
    assert "Your mobile number has been confirmed." in response.content.decode()
    client.get("/activate/backup-codes/")
    assert len(shown_codes(client.post("/activate/backup-codes/", {"generate": "1"}))) == 10
    response = client.post("/activate/finish/", {"saved": "on"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert f"Welcome to {tenant.name}! Your account is ready." in response.content.decode()
    assert state.SESSION_KEY not in client.session
    invited_user.refresh_from_db()
    assert invited_user.activated_at is not None
    assert invited_user.phone_verified_at is not None
    assert events_of(invited_user) == [
        Event.USER_CREATED,
        Event.INVITATION_SENT,
        Event.PASSWORD_CHANGED,
        Event.SMS_SENT,
        Event.SECOND_FACTOR_OK,
        Event.PHONE_CONFIRMED,
        Event.LOGIN_SUCCEEDED,
        Event.BACKUP_CODES_GENERATED,
        Event.ACCOUNT_ACTIVATED,
    ]
    # Later: a normal login with the chosen password and an SMS code.
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"username": invited_user.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    client.post("/accounts/verify/sms/", {"code": sms_code(invited_user.phone)})
    assert client.get("/").status_code == 200


def test_without_the_factor_pages_step_3_only_offers_to_continue(
    client, logged_in_activation, monkeypatch
):
    monkeypatch.setattr("verzuim.accounts.activation.views._add_url", lambda name: None)
    logged_in_activation()
    body = client.get("/activate/extra/").content.decode()
    assert "add-totp" not in body and "add-key" not in body
    assert 'id="skip-extra"' in body and ">Continue<" in body


def test_going_back_from_step_4_to_step_3(client, activation_middleware, logged_in_activation):
    logged_in_activation()
    client.get("/activate/backup-codes/")
    assert client.get("/")["Location"] == "/activate/backup-codes/"
    assert "Step 3 of 4" in client.get("/activate/extra/").content.decode()
    assert client.get("/")["Location"] == "/activate/extra/"


@pytest.mark.parametrize("refusal", [ResendTooSoon(30), ResendLimitReached()])
def test_a_refused_first_sms_does_not_stop_the_password_step(
    client, open_link, monkeypatch, refusal
):
    def refuse(*args, **kwargs):
        raise refusal

    monkeypatch.setattr("verzuim.accounts.activation.views.send_code", refuse)
    open_link()
    response = choose(client, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/activate/phone/"
    body = client.get("/activate/phone/").content.decode()
    assert "Send code by SMS" in body and 'class="message' not in body
