# stakenet, served over HTTP on port 8000, talking to Neo4j (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin stakenet
WORKDIR /app

COPY pyproject.toml README.md requirements.lock ./
COPY src ./src
RUN pip install -c requirements.lock . && rm -rf /app/src /app/pyproject.toml /app/README.md /app/requirements.lock

USER stakenet
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"]

# Credentials come from STAKENET_NEO4J_USER / STAKENET_NEO4J_PASSWORD, never from the URL here.
# Binding 0.0.0.0 is needed inside a container, and stakenet refuses a non-loopback address
# until an API token exists: create one first (`stakenet token create --role admin`, see
# docs/neo4j.md). --allow-anonymous would skip that check; it is deliberately not set here.
CMD ["stakenet", "serve", "--host", "0.0.0.0", "--port", "8000", "--db", "bolt://neo4j:7687/neo4j", "--production"]
