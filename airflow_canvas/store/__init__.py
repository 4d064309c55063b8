"""The canvas store: workflows, immutable versions, branches, deployments, tools and co-pilot
conversations, kept in Airflow's own metadata database (tables created by ``airflow db migrate``)."""
