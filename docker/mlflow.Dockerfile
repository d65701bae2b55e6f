# MLflow tracking server with the drivers the compose stack needs: PostgreSQL (backend store) and S3/MinIO
# (artifacts). The upstream image ships neither.
FROM ghcr.io/mlflow/mlflow:v2.22.1
RUN pip install --no-cache-dir "psycopg2-binary==2.9.10" "boto3==1.38.23"
USER 1000
HEALTHCHECK --interval=10s --timeout=5s --retries=12 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4)"]
