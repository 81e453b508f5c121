# ContractBot in a container: `contractbot run` as a non-root user on a slim Python 3.11 image.
#
#   docker build -t contractbot .            # or: podman build -t contractbot .
#   docker compose up -d                     # the bot with PostgreSQL, see compose.yaml
#
# PYTHON_IMAGE may name another Python 3.11 image on Debian (e.g. a local mirror of python:3.11-slim).
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: the package and its dependencies in a virtual environment --------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
# The dependencies are taken from PyPI as wheels (psycopg[binary] brings its own libpq): no compiler needed.
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY handlers/ handlers/
COPY storage/ storage/
COPY scheduler/ scheduler/
RUN /opt/venv/bin/pip install '.[postgres]'

# --- run ---------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
# Fonts for Chinese charts: the mplfonts package (a dependency of contractbot, now in /opt/venv) ships
# Noto Sans CJK SC, and handlers/charts.py loads it from there, so no system font package is installed
# (Debian's fonts-noto-cjk would add ~80 MB for the same glyphs). The check below fails the build if charts
# could not be labelled in Chinese.
COPY --from=build /opt/venv /opt/venv
RUN useradd --create-home --home-dir /home/contractbot --uid 10001 --user-group --shell /usr/sbin/nologin contractbot \
 && mkdir -p /app \
 && chown contractbot:contractbot /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LANG=C.UTF-8 \
    DATABASE_URL=postgresql+psycopg://contractbot:contractbot@db:5432/contractbot \
    PORT=3000
USER contractbot
WORKDIR /app
# As the run-time user: fail without a CJK font, and build matplotlib's font cache now, not at first start.
RUN python -c "from handlers.charts import cjk_font; family = cjk_font(); assert family, 'no CJK font'; print('CJK chart font:', family)"
EXPOSE 3000
# No curl in the slim image: Python asks /healthz on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
CMD ["contractbot", "run"]
