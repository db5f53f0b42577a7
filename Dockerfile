# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements-prod.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements-prod.lock
COPY . .
RUN DJANGO_SECRET_KEY=build FIELD_ENCRYPTION_KEY=$(python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())") \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 EMAIL_URL=consolemail:// SITE_URL=http://build DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 keyport && mkdir -p /app/var && chown keyport /app/var
USER keyport
EXPOSE 8000
CMD ["python", "scripts/serve.py", "web"]
