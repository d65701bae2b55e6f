-- Runs once, when the postgres volume is first created: MLflow keeps its tracking data in its own database
-- beside roma's (roma's tables live in the `roma` schema of the `roma` database).
CREATE DATABASE mlflow;
