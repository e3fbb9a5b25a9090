# One image for every service; docker-compose.yml picks the service by SERVICE.
FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir ".[postgres]"
ENV SERVICE=intake
CMD ["sh", "-c", "nameko run --config services/${SERVICE}/config.yaml services.${SERVICE}.service"]
