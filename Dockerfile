# syntax=docker/dockerfile:1
# One image for both services: `taskmcp auth` and `taskmcp resource`.

FROM python:3.13-slim AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY pyproject.toml README.md ./
COPY taskmcp ./taskmcp
RUN uv venv /opt/venv && VIRTUAL_ENV=/opt/venv uv pip install --no-cache .

FROM python:3.13-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home taskmcp \
    && mkdir -p /data && chown taskmcp:taskmcp /data && chmod 0700 /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TASKMCP_ENV=production \
    TASKMCP_DATA_DIR=/data \
    TASKMCP_STORAGE_URL=sqlite:////data/auth.db \
    TASKMCP_AUTH_HOST=0.0.0.0 \
    TASKMCP_RESOURCE_HOST=0.0.0.0 \
    TASKMCP_HEALTHCHECK_URL=http://127.0.0.1:9000/healthz
USER taskmcp
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9000 8001
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['TASKMCP_HEALTHCHECK_URL'], timeout=4)"]
ENTRYPOINT ["taskmcp"]
CMD ["auth"]
