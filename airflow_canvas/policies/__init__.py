"""Run-time policies of a workflow: notifications (Airflow notifiers), payload logging, metrics
(Airflow's Stats) and the rules for changing a node's type."""
