"""What a canvas node does when it runs, free of Airflow: see ``core.py``."""
