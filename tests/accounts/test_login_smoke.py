def test_login_with_sms_code_reaches_home(client, hr_user, logged_in_client):
    logged_in_client(hr_user)
    response = client.get("/")
    assert response.status_code == 200
    assert "Hanna" in response.content.decode()
