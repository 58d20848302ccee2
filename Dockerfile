# Envdeck in a container: the steps tests/integration/test_installed_package.py proves on the
# wheel (build, a fresh venv, pip install, `envdeck serve` with these settings), nothing more.
# docker build -t envdeck . && docker run -p 8080:8080 -v envdeck-data:/data envdeck

# 1. The UI, as `make install` builds it (Node 20: the version CI builds it with).
FROM node:20-bookworm-slim AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# Vite writes the build into ../src/envdeck/web/static.
RUN npm run build

# 2. The wheel, with that UI inside (pyproject.toml: hatch's artifacts).
FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY . .
COPY --from=ui /src/src/envdeck/web/static/ src/envdeck/web/static/
RUN pip install --no-cache-dir "build>=1.2" \
    && python -m build --outdir /dist .

# 3. The wheel installed into a venv on a slim Python: no source tree, no Node.
FROM python:3.11-slim-bookworm
RUN useradd --system --user-group --uid 10001 --home-dir /data --no-create-home envdeck \
    && install -d -o envdeck -g envdeck -m 0700 /data
COPY --from=wheel /dist/ /dist/
RUN python -m venv /opt/envdeck \
    && /opt/envdeck/bin/pip install /dist/envdeck-*.whl \
    && rm -rf /dist /root/.cache/pip
# The data dir is the volume (SQLite file, generated secrets, setup token); listen on every
# interface of the container. MONGODB_URI, JWT_SECRET and the rest: docs/configuration.md.
ENV PATH=/opt/envdeck/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ENVDECK_DATA_DIR=/data \
    ENVDECK_SERVER__HOST=0.0.0.0 \
    PORT=8080
USER envdeck
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# Liveness only; /api/v1/ready also asks storage. The slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ.get('PORT', '8080'), timeout=4)"
CMD ["envdeck", "serve"]
