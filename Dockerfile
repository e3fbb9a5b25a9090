# One image for every service; docker-compose.yml picks the service by SERVICE.
FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir ".[postgres]"
ENV SERVICE=intake
# exec: the service is the container's first process and gets docker stop's SIGTERM itself
# (services/serve.py: one clean stop, running work finishes)
CMD ["sh", "-c", "exec python -m services.serve ${SERVICE}"]
