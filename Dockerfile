# Agora in a container: `docker build -t agora .` then
#   docker run -v $PWD/config.yaml:/config/config.yaml:ro -v agora-data:/data -e DISCORD_TOKEN=... agora
# The config's health.port must stay 8080 (the HEALTHCHECK asks it); keep the database under /data.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AGORA_CONFIG=/config/config.yaml

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install . \
    && useradd --create-home --uid 10001 agora \
    && mkdir -p /data /config \
    && chown agora:agora /data

USER agora
WORKDIR /data
VOLUME ["/data"]
# 8080: /healthz. 3000: Slack HTTP mode (POST /slack/events), when used.
EXPOSE 8080 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]

CMD ["agora", "run"]
