"""PySpark jobs (run with spark-submit by modelhub.pipelines.spark; importable for tests)."""
