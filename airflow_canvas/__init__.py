"""Airflow Canvas: build AI workflows on a canvas, deploy them as readable Airflow DAGs."""

__version__ = "0.1.0"
