# syntax=docker/dockerfile:1
# One image for every command: `taskmcp auth`, `taskmcp resource`, `taskmcp serve` (both
# on one origin), and the development stand-in `taskmcp taskmanager`.

FROM python:3.13-slim AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
ENV VIRTUAL_ENV=/opt/venv UV_COMPILE_BYTECODE=1 UV_NO_CACHE=1
# Dependencies first (a layer that survives code changes), then the package itself,
# installed (not editable) with its package data, the HTML templates, which the last
# step checks from outside /src (-I: the source tree is not on the path).
COPY pyproject.toml README.md ./
RUN uv venv /opt/venv && uv pip install -r pyproject.toml
COPY taskmcp ./taskmcp
RUN uv pip install --no-deps . \
    && /opt/venv/bin/python -I -c "import importlib.resources as r; t = r.files('taskmcp'); \
assert all(t.joinpath(p).is_file() for p in ('oauth/templates/consent.html', \
'standin/templates/login.html')), 'templates missing from the installed package'"

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
    TASKMCP_STANDIN_HOST=0.0.0.0 \
    TASKMCP_HEALTHCHECK_URL=http://127.0.0.1:9000/healthz
USER taskmcp
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9000 8001 4321
# TASKMCP_HEALTHCHECK_URL names the command's own /healthz (compose sets it per service;
# the stand-in has none, its login page serves). With in-process TLS (TASKMCP_TLS_CERT)
# the probe speaks https to 127.0.0.1, where the certificate's name cannot match.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, ssl, urllib.request as u; url = os.environ['TASKMCP_HEALTHCHECK_URL']; tls = bool(os.environ.get('TASKMCP_TLS_CERT')); u.urlopen(url.replace('http:', 'https:', 1) if tls else url, timeout=4, context=ssl._create_unverified_context() if tls else None)"]
ENTRYPOINT ["taskmcp"]
CMD ["auth"]
