"""/health/ names the part that is down instead of failing itself."""


def test_health_names_redis_when_it_cannot_be_reached(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["redis"], body["database"]) == ("down", "down", "ok")
