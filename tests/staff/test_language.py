from tocsin.accounts.models import Person


def test_it_shows_the_sign_in_page_in_spanish_to_a_spanish_browser(client, db):
    page = client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'lang="es"' in page
    assert "Iniciar sesión" in page
    assert "Contraseña" in page


def test_it_refuses_a_wrong_password_in_spanish(client, admin):
    response = client.post(
        "/staff/login/",
        {"email": "admin@mna.test", "password": "mala"},
        headers={"accept-language": "es"},
    )

    assert "Correo o contraseña incorrectos." in response.content.decode()


def test_it_shows_the_admin_screens_in_the_admins_language(admin_client, org, admin, site):
    Person.objects.filter(pk=admin.pk).update(language="es")

    members = admin_client.get(f"/staff/o/{org.slug}/members/").content.decode()
    refused = admin_client.post(
        f"/staff/o/{org.slug}/sites/new/",
        {"kind": "hospital", "name": "VA", "lat": "95", "lng": "-93.2"},
    ).content.decode()

    assert "Miembros" in members
    assert "La latitud debe estar entre -90 y 90." in refused


def test_it_explains_a_lockout_in_spanish(client, admin):
    for attempt in range(6):
        response = client.post(
            "/staff/login/",
            {"email": "admin@mna.test", "password": f"mala {attempt}"},
            headers={"accept-language": "es"},
        )

    assert response.status_code == 429
    page = response.content.decode()
    assert "Demasiados intentos fallidos" in page
    assert "Vuelva a intentarlo en 15 segundos." in page
