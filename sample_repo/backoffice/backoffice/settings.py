"""Settings of the lumen back-office.

The back-office shares lumen's PostgreSQL database: its own apps create their tables with
Django migrations, and lumen_bridge maps some of lumen's tables without managing them.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("BACKOFFICE_SECRET_KEY", "dev-only-insecure-key")
DEBUG = os.environ.get("BACKOFFICE_DEBUG") == "1"
ALLOWED_HOSTS = ["backoffice.lumen.internal", "localhost"]

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
LOCAL_APPS = [
    "accounts",
    "lumen_bridge.apps.LumenBridgeConfig",
    "moderation.apps.ModerationConfig",
    "support",
]
INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backoffice.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("LUMEN_DB_NAME", "lumen"),
        "USER": os.environ.get("LUMEN_DB_USER", "lumen"),
        "PASSWORD": os.environ.get("LUMEN_DB_PASSWORD", ""),
        "HOST": os.environ.get("LUMEN_DB_HOST", "localhost"),
        "PORT": os.environ.get("LUMEN_DB_PORT", "5432"),
    }
}

AUTH_USER_MODEL = "accounts.StaffUser"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
