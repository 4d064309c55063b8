"""``python -m airflow_canvas``: the same command as ``airflow-canvas``."""

import sys

from airflow_canvas.cli import main

sys.exit(main())
