FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=prm.settings.production
# Pango and friends for WeasyPrint (PDF statements); GNU gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY prm ./prm
COPY partners ./partners
COPY deals ./deals
COPY incentives ./incentives
COPY training ./training
COPY portal ./portal
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && SECRET_KEY=collectstatic-only APP_DB_PASSWORD=unused ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --no-input \
    && SECRET_KEY=compilemessages-only APP_DB_PASSWORD=unused ALLOWED_HOSTS=localhost \
       python manage.py compilemessages -v 0
RUN useradd --create-home prm
USER prm
EXPOSE 8000
CMD ["gunicorn", "prm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
